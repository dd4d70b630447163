export { cloudEventTypePrefix, toCloudEvent, webhookEventKinds, type CloudEvent, type WebhookEventKind } from './cloud-event.js';
export { signatureHeader, signBody, WebhookDispatcher, type DispatcherOptions, type WebhookEndpoint } from './dispatcher.js';
export { endpointsOf, webhooks, type WebhookConfig } from './webhooks.js';
