import fastJson from 'fast-json-stringify';

import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type SerializerCompiler = Parameters<typeof zodSerializerCompiler>[0];

/**
 * Response serialization as Fastify does it by default: fast-json-stringify
 * compiled from the response's JSON schema — here derived from the same zod
 * schema that documents the route. Only declared properties are written, so a
 * field a service adds by mistake never leaks. Where the schema cannot be
 * compiled, the route falls back to zod's own encode-then-stringify.
 *
 * `validate: true` (tests) encodes with zod instead, so a response that does
 * not match its schema fails loudly.
 */
export function responseSerializerCompiler(validate: boolean) {
  return (route: SerializerCompiler): ((data: unknown) => string) => {
    if (validate || !(route.schema instanceof z.ZodType)) return zodSerializerCompiler(route);
    try {
      const json = z.toJSONSchema(route.schema, { target: 'draft-7', io: 'output', unrepresentable: 'any' });
      return fastJson(json as Parameters<typeof fastJson>[0]);
    } catch {
      return zodSerializerCompiler(route);
    }
  };
}
