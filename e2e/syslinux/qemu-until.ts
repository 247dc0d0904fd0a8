// Boots a raw disk image under QEMU (software emulation) and stops as soon as the serial console shows a
// marker: the SYSLINUX proof only needs the kernel to start, not to finish booting.
import { spawn } from 'node:child_process';

export interface SerialRun {
  log: string;
  sawMarker: boolean;
  seconds: number;
}

export function bootUntil(image: string, marker: RegExp, timeoutMs: number): Promise<SerialRun> {
  const args = ['-accel', 'tcg', '-m', '256', '-no-reboot', '-display', 'none', '-vga', 'none'];
  args.push('-serial', 'stdio', '-monitor', 'none', '-nic', 'none');
  args.push('-drive', `file=${image},format=raw,if=ide`);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let sawMarker = false;
    const stop = () => child.kill('SIGKILL');
    const timer = setTimeout(stop, timeoutMs);
    const collect = (chunk: Buffer) => {
      log += chunk.toString('latin1');
      if (!sawMarker && marker.test(log)) {
        sawMarker = true;
        // Let the line finish so the log shows the whole version string.
        setTimeout(stop, 300);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start qemu-system-x86_64: ${error.message}`, { cause: error }));
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ log: log.replace(/\r/g, ''), sawMarker, seconds: (Date.now() - started) / 1000 });
    });
  });
}
