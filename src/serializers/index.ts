import { ConfigurationError } from '../errors.js'
import { ArrowSerializer } from './arrow.js'
import { AutoSerializer } from './auto.js'
import { JsonSerializer } from './json.js'
import { RawSerializer } from './raw.js'
import type { Serializer } from './serializer.js'
import { StandardSerializer } from './standard.js'

export type { Serializer }
export { ArrowSerializer, AutoSerializer, JsonSerializer, RawSerializer, StandardSerializer }

/** Names accepted by the `serializer` option, mapped to their classes. */
export type SerializerName = 'msgpack' | 'msgpack-js' | 'auto' | 'json' | 'arrow' | 'raw'

const FACTORIES: Record<SerializerName, () => Serializer> = {
  msgpack: () => new StandardSerializer(),
  'msgpack-js': () => new AutoSerializer(),
  auto: () => new AutoSerializer(),
  json: () => new JsonSerializer(),
  arrow: () => new ArrowSerializer(),
  raw: () => new RawSerializer(),
}

export function resolveSerializer(option: Serializer | SerializerName | undefined): Serializer {
  if (option === undefined) return new StandardSerializer()
  if (typeof option === 'string') {
    const factory = FACTORIES[option]
    if (factory === undefined) {
      throw new ConfigurationError(
        'UNKNOWN_SERIALIZER',
        `Unknown serializer ${JSON.stringify(option)}: use one of ${Object.keys(FACTORIES).join(', ')} or a Serializer instance`,
      )
    }
    return factory()
  }
  return option
}
