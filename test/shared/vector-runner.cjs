// biome-ignore-all lint/correctness/noInnerDeclarations: ES5 has only function scope; loops declare with var
// biome-ignore-all lint/complexity/useArrowFunction: ES5, run by mujs as well as Node
// biome-ignore-all lint/style/useTemplate: ES5, run by mujs as well as Node
// biome-ignore-all lint/complexity/useOptionalChain: ES5, run by mujs as well as Node
/*
 * Runs the test vectors in test/shared/vectors/*.json against an implementation of shared/ and returns
 * plain, JSON-safe results shaped like each case's `expect`. The same file runs in Node (against the
 * TypeScript sources) and in mujs (against the ES5 bundle), so both engines answer one table.
 * ES5 only: no let/const, arrows, template strings, Map, Object.assign.
 */
var runVectors = (function () {
  function sign(n) {
    return n > 0 ? 1 : n < 0 ? -1 : 0;
  }

  function describeVersion(api, version) {
    var pre = version.preRelease;
    return {
      canonical: api.formatVersion(version),
      parts: version.parts.slice(),
      preRelease: pre ? pre.stage + (pre.number === null ? '' : String(pre.number)) : null,
    };
  }

  function attempt(run) {
    try {
      return { value: run() };
    } catch (error) {
      return { error: error && error.code ? error.code : String(error) };
    }
  }

  function versionParse(api, c) {
    var result = api.parseVersion(c.input);
    if (!result.ok) return { ok: false, reason: result.reason };
    var out = describeVersion(api, result.version);
    out.ok = true;
    return out;
  }

  function imageName(api, c) {
    var result = api.parseImageName(c.input);
    if (!result.ok) return { ok: false, name: result.name, reason: result.reason };
    return { ok: true, name: result.name, canonical: api.formatVersion(result.version) };
  }

  function compare(api, c) {
    var a = api.parseVersion(c.a).version;
    var b = api.parseVersion(c.b).version;
    return {
      sign: sign(api.compareVersions(a, b)),
      reverse: sign(api.compareVersions(b, a)),
      rank: sign(api.compareVersionRank(a, b)),
    };
  }

  function order(api, c) {
    var files = [];
    for (var i = 0; i < c.names.length; i++) files.push({ name: c.names[i], size: 1 });
    var plan = api.planBoot({ files: files, sidecars: {} });
    var names = [];
    for (var j = 0; j < plan.candidates.length; j++) names.push(plan.candidates[j].name);
    return names;
  }

  function imageFileName(api, c) {
    var result = attempt(function () {
      return api.imageFileName(c.input);
    });
    return result.error ? { error: result.error } : { name: result.value };
  }

  function sidecar(api, c) {
    return api.parseSidecar(c.text, c.image, c.algo);
  }

  function sidecarFormat(api, c) {
    var result = attempt(function () {
      return api.formatSidecar(c.digest, c.image);
    });
    return result.error ? { error: result.error } : { text: result.value };
  }

  function bootPlan(api, c) {
    var files = [];
    for (var i = 0; i < c.files.length; i++) files.push({ name: c.files[i][1], size: c.files[i][0] });
    var plan = api.planBoot({
      files: files,
      sidecars: c.sidecars || {},
      pin: c.pin === undefined ? null : c.pin,
    });
    var decision = api.decideBoot(plan, c.digests || {});
    var order = [];
    var pre = {};
    var verdicts = {};
    for (var j = 0; j < plan.candidates.length; j++) {
      var candidate = plan.candidates[j];
      order.push(candidate.name);
      pre[candidate.name] = candidate.expected
        ? 'check ' + candidate.expected.algo + ' ' + candidate.expected.digest
        : candidate.rejection.verdict;
    }
    for (var k = 0; k < decision.verdicts.length; k++) {
      verdicts[decision.verdicts[k].name] = decision.verdicts[k].verdict;
    }
    return {
      order: order,
      pre: pre,
      pinStatus: plan.pin.status,
      notes: plan.notes.slice(),
      verdicts: verdicts,
      boot: decision.boot,
      lines: decision.lines.slice(),
    };
  }

  function loaderOptions(api, c) {
    var parsed = api.parseLoaderOptions(c.cmdline);
    var o = parsed.options;
    return {
      options: {
        pin: o.pin,
        sources: o.sources.slice(),
        ip: o.ip,
        keydisk: o.keydisk,
        card: o.card,
        rescue: o.rescue,
        onfail: o.onfail,
        debug: o.debug,
        wait: o.wait,
        console: o.console.slice(),
      },
      problems: parsed.problems.slice(),
      formatted: api.formatLoaderOptions(o),
    };
  }

  function keydisk(api, c) {
    var parsed = api.parseKeydiskLocation(c.input);
    if (!parsed.ok) return { ok: false, reason: parsed.reason };
    return { ok: true, location: parsed.location, formatted: api.formatKeydiskLocation(parsed.location) };
  }

  function handoffFormat(api, c) {
    var result = attempt(function () {
      return api.formatHandoff(c.handoff);
    });
    if (result.error) return { error: result.error };
    var back = api.parseHandoff(result.value);
    return { text: result.value, parsedBack: back.ok ? back.handoff : { error: back.reason } };
  }

  function handoffParse(api, c) {
    return api.parseHandoff(c.cmdline);
  }

  function replaceOptions(api, c) {
    var result = attempt(function () {
      return api.replaceLoaderOptions(c.cmdline, c.options);
    });
    return result.error ? { error: result.error } : { text: result.value };
  }

  function syslinux(api, c) {
    var config = api.parseSyslinuxConfig(c.text);
    var out = {
      roundTrip: api.formatSyslinuxConfig(config) === c.text,
      labels: api.syslinuxLabels(config),
      defaultLabel: api.syslinuxDefault(config),
    };
    var edits = c.edits || [];
    for (var i = 0; i < edits.length; i++) {
      var edit = edits[i];
      var result = attempt(function () {
        return edit.options
          ? api.setLabelLoaderOptions(config, edit.label, edit.options)
          : api.setLabelAppend(config, edit.label, edit.append);
      });
      if (result.error) return { error: result.error };
      config = result.value;
    }
    if (edits.length > 0) {
      out.edited = api.formatSyslinuxConfig(config);
      out.editedLabels = api.syslinuxLabels(config);
    }
    return out;
  }

  function syslinuxGenerate(api, c) {
    var result = attempt(function () {
      return api.generateSyslinuxConfig(c.settings);
    });
    if (result.error) return { error: result.error };
    var config = api.parseSyslinuxConfig(result.value);
    return {
      text: result.value,
      labels: api.syslinuxLabels(config),
      defaultLabel: api.syslinuxDefault(config),
    };
  }

  var KINDS = {
    'version-parse': versionParse,
    'image-name': imageName,
    'version-compare': compare,
    'version-order': order,
    'image-file-name': imageFileName,
    sidecar: sidecar,
    'sidecar-format': sidecarFormat,
    'boot-plan': bootPlan,
    'loader-options': loaderOptions,
    keydisk: keydisk,
    'handoff-format': handoffFormat,
    'handoff-parse': handoffParse,
    'replace-options': replaceOptions,
    syslinux: syslinux,
    'syslinux-generate': syslinuxGenerate,
  };

  /** vectors: { kind, cases: [{ name, ...input, expect }] } → [{ name, actual }] */
  return function runVectors(api, vectors) {
    var run = KINDS[vectors.kind];
    if (!run) throw new Error('unknown vector kind ' + vectors.kind);
    var results = [];
    for (var i = 0; i < vectors.cases.length; i++) {
      var c = vectors.cases[i];
      results.push({ name: c.name, actual: run(api, c) });
    }
    return results;
  };
})();

if (typeof module !== 'undefined') module.exports = { runVectors: runVectors };
