export { interopKey, interopPrefix, validateInteropSegment } from './interop.js'
export { hashText, keyFromArgs, keyFromUserKey, namespacePrefix, validateNamespace } from './keys.js'
export { canonicalArgs } from './normalize.js'
