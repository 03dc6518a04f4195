export * from './reference.js';
export * from './inquiries.js';
