/** The Docker contexts of this machine (`docker context ls`): each one's name and engine endpoint. */
import { execFile } from 'node:child_process';

export interface DockerContext {
  name: string;
  endpoint: string;
}

/** The Docker contexts, without `default`; none when the docker CLI is missing or fails. */
export function dockerContexts(env: NodeJS.ProcessEnv = process.env, timeoutMs = 5000): Promise<DockerContext[]> {
  return new Promise((resolve) => {
    execFile('docker', ['context', 'ls', '--format', '{{.Name}}\t{{.DockerEndpoint}}'], { encoding: 'utf8', timeout: timeoutMs, env }, (error, stdout) => {
      if (error) return resolve([]);
      resolve(
        stdout
          .split('\n')
          .map((line) => line.split('\t'))
          .filter(([name, endpoint]) => name && endpoint && name !== 'default')
          .map(([name, endpoint]) => ({ name: name!, endpoint: endpoint! })),
      );
    });
  });
}
