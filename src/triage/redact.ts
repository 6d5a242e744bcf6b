// Moved to src/redaction/ (one module, several files); this re-export keeps old imports working.
export * from '../redaction/index.js';
