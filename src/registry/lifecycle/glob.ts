/**
 * Compiles a retention pattern into an anchored RegExp. For repositories (`pathStyle`), `*`
 * matches within one path component and `**` across components (`team/**` matches
 * `team/a/b`); for tags, `*` matches any run of characters. `?` matches one character;
 * everything else is literal.
 */
export function compileGlob(pattern: string, pathStyle: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*' && pathStyle) {
      re += '.*';
      i++;
    } else if (c === '*') {
      re += pathStyle ? '[^/]*' : '.*';
    } else if (c === '?') {
      re += pathStyle ? '[^/]' : '.';
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}
