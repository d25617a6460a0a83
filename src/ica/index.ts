export * from './msg-types.js';
export * from './sdk-json.js';
export * from './validate.js';
export * from './messages.js';
export * from './packet.js';
export * from './controller.js';
