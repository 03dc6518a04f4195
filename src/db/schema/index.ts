export * from './reference.js';
export * from './inquiries.js';
export * from './auth.js';
