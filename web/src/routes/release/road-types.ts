import type { paths } from '../../api/schema';

type Ok<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer T } } } } } ? T : never;

export type RoadView = Ok<'/api/v1/releases/{name}/road'>;
export type RoadStep = RoadView['steps'][number];
export type GatesView = Ok<'/api/v1/releases/{name}/gates'>;
export type TransitionOption = GatesView['transitions'][number];
export type GateResult = RoadStep['gates'][number];
