/** fd number of the sync socket in the init process */
export const SYNC_FD = 3;
//# sourceMappingURL=protocol.js.map