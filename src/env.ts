// The one Hono environment type: bindings, vars and secrets as `wrangler types` generates them.
export type AppEnv = { Bindings: Env };
