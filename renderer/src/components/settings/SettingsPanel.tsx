import { useEffect, useState } from 'react';
import type { CardView, SettingsModel, SettingsView } from '../../../../shared/api.js';
import { settingsModel, useSettings } from '../../stores/settings-store.js';
import { ErrorNote, Notice } from '../ErrorNote.js';
import { SettingsForm } from './SettingsForm.js';
import './settings.css';

/**
 * The card view's "PBX settings": what AstLinux will be set up with from the card's keydisk (host name,
 * addresses, time zone…), and changing them. They live in the keydisk's rc.conf.d/user.conf.
 */
export function SettingsPanel({ view, busy }: { view: CardView; busy: boolean }) {
  const state = useSettings();
  const [model, setModel] = useState<SettingsModel | null>(null);
  const [editing, setEditing] = useState(false);
  const cardId = view.card.id;
  const onCard = keydiskOnCard(view);
  const load = state.load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on purpose whenever the card shown changes.
  useEffect(() => setEditing(false), [cardId]);
  // Read again after every change the view reports (a new or imported keydisk changes them all).
  // biome-ignore lint/correctness/useExhaustiveDependencies: `view` is the trigger: a fresh look at the card.
  useEffect(() => {
    if (onCard) void load(cardId);
  }, [view, load, cardId, onCard]);
  useEffect(() => {
    settingsModel().then(setModel, () => undefined);
  }, []);
  const settings = state.cardId === cardId ? state.view : null;

  return (
    <section className="panel" aria-labelledby="settings-title" data-testid="pbx-settings">
      <div className="panel-head">
        <h2 id="settings-title">PBX settings</h2>
        {settings && model && !editing ? (
          <div className="actions">
            <button type="button" disabled={busy || state.saving} onClick={() => setEditing(true)}>
              Change…
            </button>
          </div>
        ) : null}
      </div>
      {state.cardId === cardId && state.error ? (
        <ErrorNote error={state.error} onDismiss={state.dismiss} />
      ) : null}
      {state.cardId === cardId && state.notice ? (
        <Notice text={state.notice} onDismiss={state.dismiss} />
      ) : null}
      {!onCard ? (
        <p>{noKeydisk(view)}</p>
      ) : !settings || !model ? (
        <p className="muted">{state.loading ? 'Reading the keydisk…' : ''}</p>
      ) : editing ? (
        <SettingsForm
          key={`${cardId}:${settings.base.text}`}
          view={settings}
          model={model}
          idPrefix="card-settings"
          onSubmit={async (form) => {
            if (await state.save(form.changes)) setEditing(false);
          }}
        >
          {(form) => (
            <div className="actions">
              <button
                type="submit"
                className="button-primary"
                disabled={!form.ready || form.empty || state.saving || busy}
              >
                {state.saving ? 'Saving…' : 'Save to the keydisk'}
              </button>
              <button type="button" onClick={() => setEditing(false)} disabled={state.saving}>
                Cancel
              </button>
              {form.empty ? <span className="muted small">Nothing changed yet.</span> : null}
            </div>
          )}
        </SettingsForm>
      ) : (
        <SettingsSummary settings={settings} model={model} />
      )}
    </section>
  );
}

/**
 * Only a keydisk on the card itself is edited here (kd.img, or the card's ASTKD partition); one the loader
 * finds elsewhere by label or UUID is not this card's.
 */
function keydiskOnCard(view: CardView): boolean {
  const location = view.keydisk.location ?? '';
  return (
    view.keydisk.present &&
    (location === '' || location.startsWith('card:') || location.startsWith('partition '))
  );
}

function noKeydisk(view: CardView): string {
  if (!view.keydisk.present) {
    return 'AstLinux keeps its settings on the keydisk, and this card has none. Make one under Keydisk (New), then set the host name, network and time zone here.';
  }
  return `This card's loader looks for the keydisk elsewhere (${view.keydisk.location}); astcard changes settings only in a keydisk on the card (kd.img or its ASTKD partition).`;
}

function SettingsSummary({ settings, model }: { settings: SettingsView; model: SettingsModel }) {
  const value = (name: string) => settings.effective[name];
  const shown = (name: string) => {
    const entry = value(name);
    if (!entry || entry.value === '') return 'not set';
    return entry.from === 'AstLinux default' ? `${entry.value} (AstLinux default)` : entry.value;
  };
  const staticAddress = (value('EXTIP')?.value ?? '') !== '';
  const internal = value('INTIF')?.value ?? '';
  const common = new Set(model.fields.map((field) => field.name));
  const others = Object.keys(settings.values).filter((name) => !common.has(name));
  return (
    <>
      <dl className="settings-summary">
        <dt>Host name</dt>
        <dd data-testid="settings-hostname">
          {shown('HOSTNAME')}
          {value('DOMAIN')?.value ? <span className="muted"> · domain {value('DOMAIN')?.value}</span> : null}
        </dd>
        <dt>External network</dt>
        <dd data-testid="settings-network">
          {staticAddress
            ? `${value('EXTIF')?.value || 'eth0'}: static address ${value('EXTIP')?.value}${
                value('EXTNM')?.value ? ` / ${value('EXTNM')?.value}` : ''
              }${value('EXTGW')?.value ? `, gateway ${value('EXTGW')?.value}` : ''}`
            : `${value('EXTIF')?.value || 'eth0'}: automatic address (DHCP)`}
          {value('DNS')?.value ? `, DNS ${value('DNS')?.value}` : ''}
        </dd>
        <dt>Internal network</dt>
        <dd>
          {internal && internal !== 'none'
            ? `${internal}: ${value('INTIP')?.value ?? ''} / ${value('INTNM')?.value ?? ''}`
            : 'none'}
        </dd>
        <dt>Time zone</dt>
        <dd>{shown('TIMEZONE')}</dd>
        <dt>Time servers</dt>
        <dd>{shown('NTPSERVS')}</dd>
        {others.length > 0 ? (
          <>
            <dt>Other variables</dt>
            <dd>{others.join(', ')}</dd>
          </>
        ) : null}
      </dl>
      <p className="muted small">
        {settings.exists
          ? `From ${settings.base.file.replace(/^\//, '')} on the card’s keydisk${
              settings.base.before.length + settings.base.after.length > 0
                ? ', with the other settings files AstLinux reads'
                : ''
            }.`
          : 'The keydisk has no settings file yet: AstLinux starts with its defaults.'}
      </p>
      {settings.warnings.length > 0 ? (
        <ul className="problems">
          {settings.warnings.map((warning) => (
            <li key={warning.message} className="small tone-warning">
              ⚠ {warning.message}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
