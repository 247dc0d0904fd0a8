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

  function remoteIndex(api, c) {
    return api.parseIndex(c.text);
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
    var signatures = null;
    var signed = {};
    if (c.signatures) {
      var names = [];
      for (var n = 0; n < files.length; n++) names.push(files[n].name);
      var judged = api.judgeSignatures({ keys: c.signatures.keys, lists: c.signatures.lists, names: names });
      signatures = { policy: c.signatures.policy, byName: judged.byName };
      for (var name in judged.byName) {
        if (/\.(img|run)$/i.test(name)) signed[name] = judged.byName[name].status;
      }
    }
    var plan = api.planBoot({
      files: files,
      sidecars: c.sidecars || {},
      runConfs: c.runConfs || {},
      pin: c.pin === undefined ? null : c.pin,
      signatures: signatures,
    });
    var decision = api.decideBoot(plan, c.digests || {});
    var order = [];
    var pre = {};
    var verdicts = {};
    var recipes = {};
    var reasons = {};
    for (var j = 0; j < plan.candidates.length; j++) {
      var candidate = plan.candidates[j];
      order.push(candidate.name);
      if (candidate.recipe) recipes[candidate.name] = describeRecipe(candidate.recipe);
      if (candidate.rejection) reasons[candidate.name] = candidate.rejection.reason;
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
      recipes: recipes,
      reasons: reasons,
      signed: signed,
    };
  }

  /** One line per recipe, so a vector states it compactly: fstype, offset, kernel, initrd, then KCMD. */
  function describeRecipe(recipe) {
    return (
      recipe.fstype +
      ' ' +
      recipe.offset +
      ' ' +
      recipe.kernel.where +
      ':' +
      recipe.kernel.path +
      ' card:' +
      recipe.initrd +
      ' | ' +
      recipe.kcmd
    );
  }

  function releaseName(api, c) {
    var result = api.parseReleaseFileName(c.input);
    if (!result.ok) {
      var asName = api.parseReleaseName(c.input);
      if (asName.ok)
        return { ok: true, release: asName.name, kind: 'name', canonical: api.formatVersion(asName.version) };
      return { ok: false, reason: result.reason, nameReason: asName.reason };
    }
    return {
      ok: true,
      release: result.release,
      kind: result.kind,
      canonical: api.formatVersion(result.version),
    };
  }

  function releaseFiles(api, c) {
    var result = attempt(function () {
      return api.releaseFiles(c.release);
    });
    if (result.error) return { error: result.error };
    var named = attempt(function () {
      return api.releaseName(c.version || c.release.replace(/^astlinux-/i, ''));
    });
    return { files: result.value, releaseName: named.error ? { error: named.error } : named.value };
  }

  function runConf(api, c) {
    var conf = api.parseRunConf(c.text, c.environment || {});
    var values = {};
    var names = Object.keys(conf.values).sort();
    for (var i = 0; i < names.length; i++) values[names[i]] = conf.values[names[i]];
    return { values: values, problems: conf.problems.slice() };
  }

  function releaseRecipe(api, c) {
    var result = api.releaseRecipe({
      release: c.release,
      conf: c.conf === undefined ? null : c.conf,
      confListed: c.confListed === undefined ? c.conf !== null && c.conf !== undefined : c.confListed,
      cardFiles: c.cardFiles,
    });
    if (!result.ok) return { ok: false, reason: result.reason };
    return { ok: true, recipe: describeRecipe(result.recipe), notes: result.recipe.notes.slice() };
  }

  function runnixBoot(api, c) {
    var p = api.predictRunnixBoot({
      osFiles: c.osFiles,
      rootFiles: c.rootFiles,
      ver: c.ver === undefined ? null : c.ver,
      defaultConf: c.defaultConf === undefined ? null : c.defaultConf,
      cmdline: c.cmdline === undefined ? null : c.cmdline,
      sidecars: c.sidecars || {},
      runConfs: c.runConfs || {},
      digests: c.digests || {},
    });
    return {
      recognised: p.recognised,
      image: p.image,
      rule: p.rule,
      found: p.found,
      newest: p.newest,
      isNewest: p.isNewest,
      checksum: p.checksum,
      verifyLocal: p.verifyLocal,
      starts: p.starts,
      lines: p.lines.slice(),
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
        signed: o.signed,
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

  function sha512(api, c) {
    var bytes = api.utf8Bytes(c.text);
    var message = [];
    for (var i = 0; i < (c.repeat || 1); i++) message = message.concat(bytes);
    return { digest: api.hexFromBytes(api.sha512(message)) };
  }

  function ed25519(api, c) {
    var key = api.bytesFromHex(c.publicKey);
    var valid = api.ed25519Verify(key, api.bytesFromHex(c.message), api.bytesFromHex(c.signature));
    return { valid: valid, keyProblem: api.ed25519KeyProblem(key) };
  }

  /** The property test's cases: only the verdict, to keep thousands of them fast under mujs. */
  function ed25519Verify(api, c) {
    var key = api.bytesFromHex(c.publicKey);
    return { valid: api.ed25519Verify(key, api.bytesFromHex(c.message), api.bytesFromHex(c.signature)) };
  }

  function base64(api, c) {
    if (c.encode !== undefined) {
      var text = api.encodeBase64(api.bytesFromHex(c.encode));
      return { text: text, back: api.hexFromBytes(api.decodeBase64(text)) };
    }
    var decoded = api.decodeBase64(c.decode);
    return { hex: decoded ? api.hexFromBytes(decoded) : null };
  }

  function signifyKey(api, c) {
    var key = api.parsePublicKey(c.text);
    if (!key.ok) return { ok: false, reason: key.reason };
    return {
      ok: true,
      keyNumber: key.keyNumber,
      publicKey: api.hexFromBytes(key.publicKey),
      comment: key.comment,
      formatted: api.formatPublicKey(key),
    };
  }

  function signifyList(api, c) {
    var keys = [];
    for (var i = 0; i < c.keys.length; i++) {
      var key = api.parsePublicKey(c.keys[i]);
      if (!key.ok) throw new Error('vector key ' + i + ': ' + key.reason);
      keys.push(key);
    }
    var result = api.verifySignedList(c.text, keys);
    if (!result.ok) {
      return { ok: false, verdict: result.verdict, reason: result.reason, keyNumber: result.keyNumber };
    }
    var entries = [];
    for (var j = 0; j < result.entries.length; j++) {
      var entry = result.entries[j];
      entries.push({ algo: entry.algo, name: entry.name, digest: entry.digest });
    }
    return { ok: true, keyNumber: result.keyNumber, keyComment: result.keyComment, entries: entries };
  }

  var KINDS = {
    'version-parse': versionParse,
    'image-name': imageName,
    'version-compare': compare,
    'version-order': order,
    'image-file-name': imageFileName,
    sidecar: sidecar,
    'remote-index': remoteIndex,
    'sidecar-format': sidecarFormat,
    'boot-plan': bootPlan,
    'loader-options': loaderOptions,
    keydisk: keydisk,
    'handoff-format': handoffFormat,
    'handoff-parse': handoffParse,
    'replace-options': replaceOptions,
    syslinux: syslinux,
    'syslinux-generate': syslinuxGenerate,
    'release-name': releaseName,
    'release-files': releaseFiles,
    'run-conf': runConf,
    'release-recipe': releaseRecipe,
    'runnix-boot': runnixBoot,
    sha512: sha512,
    ed25519: ed25519,
    'ed25519-verify': ed25519Verify,
    base64: base64,
    'signify-key': signifyKey,
    'signify-list': signifyList,
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
