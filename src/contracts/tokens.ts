import { z } from 'zod';
import { globalId } from './ids.js';

export const API_ROLES = ['READ', 'OPERATE', 'ADMIN', 'WORKER'] as const;

export const createApiTokenInput = z.strictObject({
  name: z.string().trim().min(1, 'name is required').max(100),
  role: z.enum(API_ROLES),
});

export const revokeApiTokenInput = z.strictObject({ id: globalId('ApiToken') });
