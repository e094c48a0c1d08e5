/**
 * Compound place inputs. `address`: four visible parts (country hidden, France), completed from the
 * national address base when configured. `geolocation`: an address or description typed by anyone,
 * plus a point on a map for those who can use one (the map is an enhancement, loaded on demand).
 */
import type { AddressField, GeolocationField } from '../../../procedures/form/definition.js';
import { describedBy, ErrorMessage, Hint, Optional, textOf } from './parts.js';
import type { ControlProps } from './controls.js';
import { inputIdOf, own, partIdOf } from './paths.js';

interface Part { key: 'line1' | 'line2' | 'postcode' | 'city'; label: string; token: string; optional?: boolean; hint?: string; width?: string; maxLength: number }
const ADDRESS_PARTS: Part[] = [
  { key: 'line1', label: 'Numéro et voie', token: 'address-line1', hint: 'Par exemple : 12 rue de la Paix.', maxLength: 200 },
  { key: 'line2', label: 'Complément d’adresse', token: 'address-line2', optional: true, hint: 'Bâtiment, étage, appartement, lieu-dit…', maxLength: 200 },
  { key: 'postcode', label: 'Code postal', token: 'postal-code', width: ' form-input--5', maxLength: 10 },
  { key: 'city', label: 'Commune', token: 'address-level2', maxLength: 100 },
];

function partId(path: string, key: string): string {
  return key === 'line1' ? inputIdOf(path) : partIdOf(path, key);
}

/** `address`: line 1, line 2, postcode, city in a fieldset; suggestions from the address base when JS and the API are there. */
export function AddressInput({ field, path, value, context, inGroup }: ControlProps<AddressField>) {
  const error = context.errors.get(path);
  const id = inputIdOf(path);
  const hintId = field.hint ? `${id}-legend-hint` : null;
  const errorId = error ? `${id}-legend-error` : null;
  return (
    <fieldset
      class={`form-field form-fieldset form-address${error ? ' form-field--error' : ''}`}
      {...describedBy(hintId, errorId, false)}
      {...(context.addressApi ? { 'data-address-complete': '' } : {})}
    >
      <legend>
        {field.label}
        <Optional field={field} />
      </legend>
      {field.hint ? <Hint id={hintId!}>{field.hint}</Hint> : null}
      <ErrorMessage id={`${id}-legend-error`} message={error} />
      {ADDRESS_PARTS.map((part) => {
        const partPath = `${path}.${part.key}`;
        const inputId = partId(path, part.key);
        const partError = context.errors.get(partPath);
        // forms.client.js adds « Des suggestions s’affichent pendant la saisie » when it offers them.
        const partHint = part.hint;
        const partHintId = partHint ? `${inputId}-hint` : null;
        const partErrorId = partError ? `${inputId}-error` : null;
        return (
          <div class={`form-field form-address-part${partError ? ' form-field--error' : ''}`} data-part={part.key}>
            <label for={inputId}>
              {part.label}
              {part.optional ? <span class="form-optional"> (facultatif)</span> : null}
            </label>
            {partHint ? <Hint id={partHintId!}>{partHint}</Hint> : null}
            <ErrorMessage id={`${inputId}-error`} message={partError} />
            <input
              type="text"
              id={inputId}
              name={partPath}
              value={textOf(own(value, part.key))}
              class={`form-input${part.width ?? ''}`}
              maxLength={part.maxLength}
              {...(inGroup ? {} : { autocomplete: part.token })}
              {...(part.key === 'postcode' ? { inputMode: 'numeric' } : {})}
              {...describedBy(partHintId, partErrorId, Boolean(partError || (error && part.key === 'line1')))}
            />
          </div>
        );
      })}
      <input type="hidden" name={`${path}.country`} value={textOf(own(value, 'country')) || 'FR'} />
      <input type="hidden" name={`${path}.banId`} value={textOf(own(value, 'banId'))} data-ban-id="" />
    </fieldset>
  );
}

/** `geolocation`: the place in words (always), the point on a map (with JS and tiles), kept in hidden inputs. */
export function GeolocationInput({ field, path, value, context }: ControlProps<GeolocationField>) {
  const error = context.errors.get(path);
  const id = inputIdOf(path);
  const hintId = field.hint ? `${id}-legend-hint` : null;
  const errorId = error ? `${id}-legend-error` : null;
  const addressError = context.errors.get(`${path}.address`) ?? context.errors.get(`${path}.lat`) ?? context.errors.get(`${path}.lon`);
  const lat = textOf(own(value, 'lat'));
  const lon = textOf(own(value, 'lon'));
  // forms.client.js adds that the place can also be shown on the map, when it shows the map.
  const inputHint = 'Par exemple : 12 rue de la Paix, ou « devant l’école Jules-Ferry ».';
  const placed = lat !== '' && lon !== '';
  return (
    <fieldset class={`form-field form-fieldset form-geolocation${error ? ' form-field--error' : ''}`} {...describedBy(hintId, errorId, false)}>
      <legend>
        {field.label}
        <Optional field={field} />
      </legend>
      {field.hint ? <Hint id={hintId!}>{field.hint}</Hint> : null}
      <ErrorMessage id={`${id}-legend-error`} message={error} />
      <div class={`form-field${addressError ? ' form-field--error' : ''}`}>
        <label for={id}>Adresse ou description du lieu</label>
        <Hint id={`${id}-hint`}>{inputHint}</Hint>
        <ErrorMessage id={`${id}-error`} message={addressError} />
        <input
          type="text"
          id={id}
          name={`${path}.address`}
          value={textOf(own(value, 'address'))}
          class="form-input"
          maxLength={500}
          {...describedBy(`${id}-hint`, addressError ? `${id}-error` : null, Boolean(addressError || error))}
        />
      </div>
      <input type="hidden" name={`${path}.lat`} value={lat} data-geo="lat" />
      <input type="hidden" name={`${path}.lon`} value={lon} data-geo="lon" />
      <p class="form-map-status" id={partIdOf(path, 'status')} data-map-status="" aria-live="polite">
        {placed ? `Un point a été placé sur la carte (latitude ${lat}, longitude ${lon}).` : ''}
      </p>
      {context.map ? (
        <div class="form-map" data-map="" data-tile-url={context.map.tileUrl} data-attribution={context.map.attribution} hidden>
          <div class="form-map-actions">
            <button type="button" class="button-secondary" data-map-open="" aria-expanded="false" aria-controls={partIdOf(path, 'carte')}>
              Situer sur une carte
            </button>
            <button type="button" class="button-secondary" data-map-locate="" hidden>
              Utiliser ma position
            </button>
            <button type="button" class="button-secondary" data-map-clear="" {...(placed ? {} : { hidden: true })}>
              Retirer le point
            </button>
          </div>
          <div class="form-map-canvas" id={partIdOf(path, 'carte')} data-map-canvas="" hidden></div>
        </div>
      ) : null}
    </fieldset>
  );
}
