export * from './model';
export * from './filters';
export * from './cron';
export * from './tags';
export * from './validate';
