//! What reading hostile envelopes allocates, counted by a global allocator: a declared size the
//! compressed data cannot honestly produce must be refused before anything of that size is
//! allocated. (Resident memory cannot show this: a zero-filled allocation that is freed again
//! never touches most of its pages.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use cachekit_core::checksum::xxh3_64;
use cachekit_core::crypto::{Keyring, MasterKey};
use cachekit_core::storage::{check, retrieve};
use cachekit_core::CoreError;

/// Passes every request to the system allocator. On a thread that is measuring, it remembers the
/// largest request and counts reallocations (a buffer that had to grow, and was copied, after it
/// was first sized). Other threads (tests preparing their inputs) are not counted.
struct Recording;

static LARGEST: AtomicUsize = AtomicUsize::new(0);
static REALLOCS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // const-initialised and without a destructor: reading it never allocates.
    static MEASURING_HERE: Cell<bool> = const { Cell::new(false) };
}

fn record(size: usize, realloc: bool) {
    if MEASURING_HERE.try_with(Cell::get).unwrap_or(false) {
        LARGEST.fetch_max(size, Ordering::Relaxed);
        if realloc {
            REALLOCS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is forwarded unchanged to `System`; recording has no effect on allocation.
unsafe impl GlobalAlloc for Recording {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size(), false);
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size(), false);
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size, true);
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: Recording = Recording;

/// Measurements run one at a time (the test harness runs tests on parallel threads).
static MEASURING: Mutex<()> = Mutex::new(());

/// What `f` allocated on this thread: the largest single request and the number of reallocations.
struct Allocated {
    largest: usize,
    reallocs: usize,
}

fn allocations_of<T>(f: impl FnOnce() -> T) -> (T, Allocated) {
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    LARGEST.store(0, Ordering::Relaxed);
    REALLOCS.store(0, Ordering::Relaxed);
    MEASURING_HERE.with(|m| m.set(true));
    let out = f();
    MEASURING_HERE.with(|m| m.set(false));
    let allocated = Allocated {
        largest: LARGEST.load(Ordering::Relaxed),
        reallocs: REALLOCS.load(Ordering::Relaxed),
    };
    (out, allocated)
}

/// The largest single allocation `f` makes.
fn largest_allocation_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let (out, allocated) = allocations_of(f);
    (out, allocated.largest)
}

const MIB: usize = 1024 * 1024;
const CLAIM: u64 = 512 * 1024 * 1024;

/// A bin32 envelope around `block` that declares `original_size` bytes.
fn envelope(block: &[u8], original_size: u64, checksum: u64) -> Vec<u8> {
    let mut out = vec![0x94, 0xc6];
    out.extend_from_slice(&(block.len() as u32).to_be_bytes());
    out.extend_from_slice(block);
    out.push(0x98);
    for b in checksum.to_be_bytes() {
        if b < 0x80 {
            out.push(b);
        } else {
            out.extend_from_slice(&[0xcc, b]);
        }
    }
    out.push(0xce);
    out.extend_from_slice(&(original_size as u32).to_be_bytes());
    out.push(0xa7);
    out.extend_from_slice(b"msgpack");
    out
}

/// ~600 KiB of bytes that are not an LZ4 block (and compress nothing), declaring 512 MiB: within
/// the protocol's 1000:1 ratio, far beyond what 600 KiB of LZ4 can encode.
fn garbage_claiming_512_mib() -> Vec<u8> {
    let block: Vec<u8> = (0..600 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    envelope(&block, CLAIM, 0)
}

#[test]
fn a_garbage_block_claiming_512_mib_is_a_bomb_before_anything_of_that_size_is_allocated() {
    let hostile = garbage_claiming_512_mib();
    let (result, largest) = largest_allocation_of(|| retrieve(&hostile).map(|_| ()));
    assert!(
        largest < MIB,
        "reading a {} KiB envelope allocated {largest} bytes at once",
        hostile.len() / 1024
    );
    assert!(
        matches!(result, Err(CoreError::DecompressionBomb { .. })),
        "{result:?}"
    );
}

#[test]
fn the_same_claim_through_the_encrypted_read_path_allocates_only_the_envelope() {
    let master = MasterKey::from_bytes(&[9; 32]).expect("key");
    let ring = Keyring::new(&master, &[], "alloc").expect("keyring");
    let hostile = garbage_claiming_512_mib();
    let ctx = cachekit_core::crypto::AadContext {
        cache_key: "k",
        format: "msgpack",
        compressed: true,
        original_type: None,
    };
    let sealed = ring.encrypt(&hostile, &ctx).expect("encrypt");
    let (result, largest) = largest_allocation_of(|| {
        let opened = ring.open_envelope(&sealed, "k", "msgpack")?;
        let checked = check(&opened)?;
        let mut out = vec![0u8; checked.original_len()];
        checked.decompress_into(&mut out)
    });
    // The decrypted envelope itself (600 KiB) is the largest thing allowed.
    assert!(
        largest <= hostile.len(),
        "allocated {largest} bytes at once"
    );
    assert!(
        matches!(result, Err(CoreError::DecompressionBomb { .. })),
        "{result:?}"
    );
}

#[test]
fn an_honest_envelope_allocates_its_declared_size_once() {
    // The counter sees a real decompression, so a passing bomb test is not a blind counter.
    let data = vec![7u8; 4 * MIB];
    let stored = cachekit_core::storage::store(&data, "msgpack").expect("store");
    let ((out, _), largest) = largest_allocation_of(|| retrieve(&stored).expect("retrieve"));
    assert_eq!(xxh3_64(&out), xxh3_64(&data));
    assert!(largest >= data.len(), "largest allocation {largest}");
    assert!(largest < 2 * data.len(), "largest allocation {largest}");
}

#[test]
fn a_legacy_array_claiming_4_gib_of_elements_allocates_nothing_of_that_size() {
    // [array32 of 2^32 - 1 elements, ...] in 9 bytes.
    let input = [0x94, 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03];
    let (result, largest) = largest_allocation_of(|| retrieve(&input).map(|_| ()));
    assert!(largest < MIB, "allocated {largest} bytes at once");
    assert!(matches!(result, Err(CoreError::MalformedEnvelope { .. })));
}

/// 1 MiB that does not compress, so the envelope is about as large as the value.
fn incompressible() -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..MIB)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect()
}

#[test]
fn writing_a_large_value_sizes_its_output_once() {
    // One allocation of about the envelope's worst case, never regrown (a regrowth copies the
    // whole buffer) and never a multiple of the value.
    let data = incompressible();
    let master = MasterKey::from_bytes(&[5; 32]).expect("key");
    let ring = Keyring::new(&master, &[], "alloc").expect("keyring");
    let ctx = cachekit_core::crypto::AadContext {
        cache_key: "k",
        format: "msgpack",
        compressed: false,
        original_type: None,
    };
    // Python's fifth AAD component, one byte long: the shortest the estimate must make room for.
    let typed = cachekit_core::crypto::AadContext {
        original_type: Some("b"),
        ..ctx
    };
    let writes: [(&str, &dyn Fn() -> usize); 6] = [
        ("store", &|| {
            cachekit_core::storage::store(&data, "msgpack")
                .expect("store")
                .len()
        }),
        // The shortest envelope tail: the least room the size estimate leaves.
        ("store with an empty format", &|| {
            cachekit_core::storage::store(&data, "")
                .expect("store")
                .len()
        }),
        ("seal", &|| {
            ring.seal(&data, "k", "msgpack").expect("seal").len()
        }),
        ("encrypt", &|| {
            ring.encrypt(&data, &ctx).expect("encrypt").len()
        }),
        ("build_aad", &|| {
            cachekit_core::crypto::build_aad("tenant", &ctx)
                .expect("aad")
                .len()
        }),
        ("build_aad with an original type", &|| {
            cachekit_core::crypto::build_aad("tenant", &typed)
                .expect("aad")
                .len()
        }),
    ];
    for (name, write) in writes {
        let (written, allocated) = allocations_of(write);
        assert_eq!(allocated.reallocs, 0, "{name} regrew a buffer");
        assert!(
            allocated.largest <= written + written / 8 + 64,
            "{name}: wrote {written} bytes, allocated {} at once",
            allocated.largest
        );
    }
}
