import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CardFile, decideBoot, findCandidate, planBoot } from '../../shared/boot-plan.js';
import { compareVersions, parseImageName } from '../../shared/versions.js';
import { expectVector, vectorRows } from './vector-table.js';

describe('vectors boot-plan.json', () => {
  it.each(vectorRows('boot-plan.json'))('%s', (_name, actual, expected) => expectVector(actual, expected));
});

const DIGEST = 'a'.repeat(40);
const version = fc.tuple(fc.nat(12), fc.nat(12), fc.nat(12)).map((parts) => parts.join('.'));

describe('boot plan properties', () => {
  it('boots the newest image whose checksum matches, whatever else is on the card', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({ version, sidecar: fc.boolean(), good: fc.boolean(), empty: fc.boolean() }),
          {
            selector: (image) => image.version,
            maxLength: 8,
          },
        ),
        (images) => {
          const files: CardFile[] = [];
          const sidecars: { [name: string]: string } = {};
          const digests: { [name: string]: string } = {};
          for (const image of images) {
            const name = `AstLinux-${image.version}.img`;
            files.push({ name, size: image.empty ? 0 : 1 });
            if (image.sidecar) {
              files.push({ name: `${name}.sha1`, size: 60 });
              sidecars[`${name}.sha1`] = `${DIGEST}  ${name}\n`;
            }
            digests[name] = image.good ? DIGEST : 'b'.repeat(40);
          }
          const decision = decideBoot(planBoot({ files, sidecars }), digests);
          const bootable = images
            .filter((image) => image.sidecar && image.good && !image.empty)
            .map((image) => parseImageName(`AstLinux-${image.version}.img`))
            .flatMap((parsed) => (parsed.ok ? [parsed] : []))
            .sort((a, b) => compareVersions(b.version, a.version));
          expect(decision.boot).toBe(bootable[0]?.name ?? null);
          expect(decision.lines.at(-1)).toBe(
            decision.boot ? `booting ${decision.boot}` : 'no bootable AstLinux image found',
          );
        },
      ),
    );
  });

  it('finds candidates by name whatever the case', () => {
    const plan = planBoot({ files: [{ name: 'AstLinux-1.0.img', size: 1 }], sidecars: {} });
    expect(findCandidate(plan, 'ASTLINUX-1.0.IMG')?.name).toBe('AstLinux-1.0.img');
    expect(findCandidate(plan, 'AstLinux-2.0.img')).toBeNull();
  });

  it('does not read sidecar text from the prototype chain', () => {
    const files = [
      { name: 'AstLinux-1.0.img', size: 1 },
      { name: 'AstLinux-1.0.img.sha1', size: 60 },
    ];
    const plan = planBoot({ files, sidecars: Object.create({ 'AstLinux-1.0.img.sha1': `${DIGEST}  x\n` }) });
    expect(plan.candidates[0]?.rejection?.verdict).toBe('malformed-sidecar');
  });
});
