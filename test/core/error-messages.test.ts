// Every code an astcard error can carry reaches the user as a sentence that says what happened and what to
// do. The disk layers keep one table entry per code; the other layers compose the sentence where they throw,
// with the names involved. This test walks every `…ErrorCode` union in the product with the TypeScript
// compiler: each code of a layer has its table entry, and each code of the others is thrown somewhere with
// a message that reads as a sentence — so no code is left without words, and none is dead.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { BLOCK_DEVICE_MESSAGES } from '../../electron/core/block/block-device-error.js';
import type { UserMessage } from '../../electron/core/errors.js';
import { FAT_MESSAGES } from '../../electron/core/fat/fat-error.js';
import { MBR_MESSAGES } from '../../electron/core/mbr/mbr-error.js';
import { SYSLINUX_MESSAGES } from '../../electron/core/syslinux/syslinux-error.js';

const root = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const files = sources(join(root, 'electron'));
const program = ts.createProgram(files, { strict: true, target: ts.ScriptTarget.ES2022, noEmit: true });
const checker = program.getTypeChecker();

/** Each `type XErrorCode = 'a' | 'b'` in the product, with its members. */
const unions = new Map<string, string[]>();
/** The file declaring each union, which names every code without throwing any. */
const declaredIn = new Map<string, string>();
/** For each error class name, the codes thrown with a literal code and the messages given with them. */
const thrown = new Map<string, { code: string; message: string; where: string }[]>();

for (const file of program.getSourceFiles()) {
  if (!files.includes(file.fileName)) continue;
  const visit = (node: ts.Node): void => {
    if (ts.isTypeAliasDeclaration(node) && /ErrorCode$/.test(node.name.text)) {
      const type = checker.getTypeAtLocation(node.name);
      const members = type.isUnion() ? type.types : [type];
      declaredIn.set(node.name.text, file.fileName);
      unions.set(
        node.name.text,
        members
          .filter((member) => member.isStringLiteral())
          .map((member) => (member as ts.StringLiteralType).value),
      );
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && /Error$/.test(node.expression.text)) {
      const [code, message] = node.arguments ?? [];
      if (code && ts.isStringLiteral(code) && message) {
        const list = thrown.get(node.expression.text) ?? [];
        const where = `${file.fileName.slice(root.length + 1)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        list.push({ code: code.text, message: staticText(message), where });
        thrown.set(node.expression.text, list);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}

/** The words of a message argument with each `${…}` as "…"; a computed message counts as unknown (""). */
function staticText(node: ts.Expression): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return node.head.text + node.templateSpans.map((span) => `…${span.literal.text}`).join('');
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return staticText(node.left) + staticText(node.right);
  }
  if (ts.isParenthesizedExpression(node)) return staticText(node.expression);
  if (ts.isConditionalExpression(node)) return `${staticText(node.whenTrue)} / ${staticText(node.whenFalse)}`;
  return '…';
}

const LAYER_TABLES: Record<string, Record<string, UserMessage>> = {
  FatErrorCode: FAT_MESSAGES,
  MbrErrorCode: MBR_MESSAGES,
  SyslinuxErrorCode: SYSLINUX_MESSAGES,
  BlockDeviceErrorCode: BLOCK_DEVICE_MESSAGES,
};

/** A table entry: a capitalised sentence. */
const sentence = /^[A-Z].*[.?)]$/s;
/** A thrown message: at least three words, ended like a sentence (or by a part filled in where it is thrown). */
const thrownSentence = /^\S+ \S+ \S.*[.?)…]$/s;

describe('every error code has words for the user', () => {
  test('the product declares its error codes (the walk found them)', () => {
    expect([...unions.keys()]).toEqual(
      expect.arrayContaining([
        ...Object.keys(LAYER_TABLES),
        'CardErrorCode',
        'WriterErrorCode',
        'AppErrorCode',
      ]),
    );
    expect([...unions.values()].flat().length).toBeGreaterThan(100);
  });

  for (const [union, table] of Object.entries(LAYER_TABLES)) {
    test(`${union}: each code has what happened and what to do`, () => {
      const codes = unions.get(union) ?? [];
      expect(codes.length).toBeGreaterThan(3);
      expect(Object.keys(table).sort()).toEqual([...codes].sort());
      for (const code of codes) {
        const entry = table[code];
        expect(entry?.happened, code).toMatch(sentence);
        expect(entry?.todo, code).toMatch(sentence);
        expect(entry?.todo, code).not.toBe(entry?.happened);
      }
    });
  }

  test('every other code is thrown somewhere, each time with a plain sentence', () => {
    const silent: string[] = [];
    for (const [union, codes] of unions) {
      if (union in LAYER_TABLES) continue;
      const errorClass = union.replace(/Code$/, '');
      const sites = thrown.get(errorClass) ?? [];
      for (const code of codes) {
        const here = sites.filter((site) => site.code === code);
        if (here.length === 0 && !indirect(errorClass, code, declaredIn.get(union)))
          silent.push(`${union} '${code}': never thrown`);
        for (const site of here) {
          // A message made entirely elsewhere (a shared parser's reason) is checked where it is made.
          const computed = site.message.replace(/[….\s]/g, '') === '';
          if (!computed && !thrownSentence.test(site.message.trim()))
            silent.push(`${site.where} '${code}': "${site.message}" is not a sentence`);
        }
      }
    }
    expect(silent).toEqual([]);
  });
});

/** Codes thrown through a variable or helper rather than a literal `new XError('code', …)`: found by text. */
function indirect(errorClass: string, code: string, declaration: string | undefined): boolean {
  return program
    .getSourceFiles()
    .some(
      (file) =>
        files.includes(file.fileName) &&
        file.fileName !== declaration &&
        file.text.includes(errorClass) &&
        new RegExp(`['"]${code.replace(/[-]/g, '\\-')}['"]`).test(
          file.text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''),
        ),
    );
}
