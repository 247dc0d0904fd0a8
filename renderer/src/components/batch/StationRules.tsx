import { useBatch } from '../../stores/batch-store.js';

/** Which inserted cards a station takes, and how many it makes. */
export function StationRules() {
  const state = useBatch();
  return (
    <fieldset className="field">
      <legend>Station rules</legend>
      <label className="field">
        Cards to make
        <input
          inputMode="numeric"
          value={state.count}
          onChange={(event) => state.set({ count: event.target.value })}
        />
      </label>
      <label className="field">
        Smallest card (GB, optional)
        <input value={state.minGb} onChange={(event) => state.set({ minGb: event.target.value })} />
      </label>
      <label className="field">
        Largest card (GB, optional)
        <input value={state.maxGb} onChange={(event) => state.set({ maxGb: event.target.value })} />
      </label>
      <label className="field">
        Which cards
        <select
          value={state.only}
          onChange={(event) => state.set({ only: event.target.value as typeof state.only })}
        >
          <option value="any">Any card</option>
          <option value="empty">Only cards that are not AstLinux cards yet</option>
          <option value="astlinux">Only AstLinux cards (re-provisioning)</option>
        </select>
      </label>
      <p className="muted">
        Cards already in the reader are left alone. A card the computer opens on insertion is closed
        (unmounted) first; one that will not close, system and internal drives, and anything that would need a
        confirmation are never written.
      </p>
    </fieldset>
  );
}
