export * from './reference.js';
export * from './inquiries.js';
export * from './auth.js';
export * from './stats.js';
export * from './cases.js';
export * from './pages.js';
export * from './audit.js';
export * from './notifications.js';
