export function stageBusybox(busyboxRoot: string, stageDir: string): number;
