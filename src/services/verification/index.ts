// Verification sorties. Routes and main.ts import from here.
export * from './verification-plan';
export * from './verification-policy';
export * from './verification-status';
export * from './verification-service';
export * from './verification-service-for';
