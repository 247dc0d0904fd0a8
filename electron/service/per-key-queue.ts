/**
 * One operation per card at a time: a check reading a card while an add writes it would see half a
 * change. Work for the same key waits its turn; a failure ends only its own turn; other keys run freely.
 */
export function perKeyQueue(): <T>(key: string, work: () => Promise<T>) => Promise<T> {
  const queues = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const turn = (queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
    queues.set(key, turn);
    const forget = () => {
      if (queues.get(key) === turn) queues.delete(key);
    };
    turn.then(forget, forget);
    return turn;
  };
}
