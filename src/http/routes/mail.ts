import type { FastifyPluginAsync } from 'fastify';
import type { RouteOptions } from '../app.js';

export const mailRoutes: FastifyPluginAsync<RouteOptions> = async () => {
  // routes of this resource are registered here
};
