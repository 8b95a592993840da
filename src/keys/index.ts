export { keyFromArgs, keyFromUserKey, namespacePrefix, hashText, validateNamespace } from './keys.js'
export { canonicalArgs } from './normalize.js'
