// Public API of the alerts capability (pure parts: schemas, georeferencing, rules, routing,
// lifecycle, deadlines, audit chain, CAP, FIRMS, webhooks).
export * from './alert-model';
export * from './detection-schema';
export * from './local-frame';
export * from './geometry';
export * from './georeference';
export * from './observation';
export * from './suppression-registry';
export * from './severity';
export * from './rules-engine';
export * from './alert-routing';
export * from './alert-lifecycle';
export * from './alert-deadlines';
export * from './audit-chain';
export * from './cap-writer';
export * from './firms-import';
export * from './webhook-signature';
export * from './webhook-retry';
export * from './webhook-sender';
