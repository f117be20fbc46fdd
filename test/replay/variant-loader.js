/**
 * A webpack loader for the replay tests: rewrites a workflow module's source before it is bundled,
 * so a test can replay a committed history against a changed copy of the workflow without touching
 * the file on disk. Options: `{ replacements: [{ pattern, flags, replacement }] }`; a pattern that
 * matches nothing fails the bundle, so a test never passes by changing nothing.
 */
module.exports = function variantLoader(source) {
  const { replacements } = this.getOptions();
  let out = source;
  for (const r of replacements) {
    const re = new RegExp(r.pattern, r.flags ?? '');
    if (!re.test(out)) throw new Error(`variant-loader: /${r.pattern}/ matches nothing in ${this.resourcePath}`);
    out = out.replace(re, r.replacement);
  }
  return out;
};
