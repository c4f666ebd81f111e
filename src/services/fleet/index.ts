// Fleet orchestration. Routes and main.ts import from here.
export * from './agency-quota';
export * from './dispatcher';
export * from './fleet-event-bus';
export * from './fleet-service';
export * from './fleet-service-for';
export * from './launch-gates';
export * from './mission-priority';
export * from './sortie-dispatch';
export * from './sortie-preemption';
export * from './sortie-recurrence';
export * from './sortie-state-machine';
export * from './sortie-track';
export * from './bridge-dispatcher';
