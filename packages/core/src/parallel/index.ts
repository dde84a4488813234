export { DataParallel, type DataParallelOptions, type DataParallelStep } from './data-parallel.js';
export { batchSize, shardSizes, sliceBatch, type HostArray, type HostBatch, type Replica, type ReplicaFactory } from './replica.js';
export { threadCpuMs } from './thread-cpu.js';
