import { rpmCataloger } from '../src/sbom/catalogers/rpm.js';
import { dirTree } from '../test/helpers/dir-tree.js';
const t0 = Date.now();
const r = await rpmCataloger.catalog(dirTree(process.argv[2]!), {});
console.log(r.packages.length, r.problems.slice(0,5), r.relationships?.length, Date.now()-t0, 'ms');
console.log(r.packages.slice(0,3).map(p=>[p.purl,p.version,p.licenses, p.metadata.files?.length, p.metadata.modularityLabel]));
