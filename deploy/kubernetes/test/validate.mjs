// Validates Kubernetes objects against their schemas: the Kubernetes API's (kubernetes-models) and KEDA's
// (@kubernetes-models/keda). Reads the YAML that `kubectl kustomize` prints, from a file named as the first
// argument or from standard input:
//   kubectl kustomize --load-restrictor LoadRestrictionsNone deploy/kubernetes | node deploy/kubernetes/test/validate.mjs
// Prints one line per object and exits non-zero when any object is invalid or of a kind it has no schema for.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const text = readFileSync(process.argv[2] ?? 0, "utf8");
const documents = parseAllDocuments(text);

// where the model of an apiVersion lives: the core group is "v1", a named group "group/version"
function modelModule(apiVersion) {
  if (apiVersion.startsWith("keda.sh/")) {
    return `@kubernetes-models/keda/${apiVersion}`;
  }
  return `kubernetes-models/${apiVersion}`;
}

let invalid = 0;
let count = 0;
for (const document of documents) {
  if (document.errors.length > 0) {
    console.log(`not YAML: ${document.errors.map((e) => e.message).join("; ")}`);
    invalid++;
    continue;
  }
  const object = document.toJS();
  if (object == null) {
    continue;
  }
  count++;
  const what = `${object.apiVersion}/${object.kind} ${object.metadata?.name}`;
  let Model;
  try {
    Model = (await import(modelModule(String(object.apiVersion))))[object.kind];
  } catch (e) {
    Model = undefined;
  }
  if (typeof Model !== "function") {
    console.log(`no schema: ${what}`);
    invalid++;
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`valid: ${what}`);
  } catch (e) {
    console.log(`invalid: ${what}: ${e.message}`);
    invalid++;
  }
}
if (count === 0) {
  console.log("no objects to validate");
  process.exit(1);
}
console.log(`${count - invalid} of ${count} objects valid`);
process.exit(invalid === 0 ? 0 : 1);
