//! The module's allocator: std's own (dlmalloc on wasm32), with the wasm memory grown geometrically.
//!
//! dlmalloc grows the memory by what each allocation lacks, so reading a scenario of 100k events grew
//! it a few hundred times, and V8 answers a growth with a full collection of the JS heap (its
//! accounting of the memory's new, larger buffer): those collections were two thirds of `simulate`'s
//! time. After each growth, [`Geometric`] takes as much again (the memory's size, at most
//! [`MAX_RESERVE`]) and frees it at once: dlmalloc keeps it for the next allocations, so the memory
//! doubles and grows a few dozen times at most, for at most twice the memory it needs.

// `GlobalAlloc` is an unsafe trait: this module only hands each call on to `System` unchanged.
#![allow(unsafe_code)]

use core::arch::wasm32::memory_size;
use std::alloc::{GlobalAlloc, Layout, System};

/// A wasm page.
const PAGE: usize = 65_536;
/// The most a growth reserves beyond what it needed: past it the memory grows by this much at a time.
const MAX_RESERVE: usize = 256 << 20;

#[global_allocator]
static ALLOCATOR: Geometric = Geometric;

/// [`System`], reserving as much memory again after each growth of the memory.
struct Geometric;

impl Geometric {
    /// If the memory grew since it had `pages_before` pages, allocates and frees a block as large as the
    /// memory (at most [`MAX_RESERVE`]); when that much is not available, nothing happens.
    fn reserve_after_growth(pages_before: usize) {
        let pages = memory_size::<0>();
        if pages == pages_before {
            return;
        }
        let Ok(layout) = Layout::from_size_align(pages.saturating_mul(PAGE).min(MAX_RESERVE), 1)
        else {
            return;
        };
        // SAFETY: the layout's size is at least one page (the memory grew); the block is freed with the
        // layout it was allocated with, and only if the allocation succeeded.
        unsafe {
            let block = System.alloc(layout);
            if !block.is_null() {
                System.dealloc(block, layout);
            }
        }
    }
}

// SAFETY: every method hands its arguments to `System` unchanged and returns its answer, so `System`'s
// guarantees hold; the reservation in between allocates and frees a block of its own.
unsafe impl GlobalAlloc for Geometric {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pages = memory_size::<0>();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which is `System`'s.
        let block = unsafe { System.alloc(layout) };
        Self::reserve_after_growth(pages);
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pages = memory_size::<0>();
        // SAFETY: as for `alloc`.
        let block = unsafe { System.alloc_zeroed(layout) };
        Self::reserve_after_growth(pages);
        block
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let pages = memory_size::<0>();
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract: `ptr` came from this allocator,
        // that is from `System`, with `layout`.
        let block = unsafe { System.realloc(ptr, layout, new_size) };
        Self::reserve_after_growth(pages);
        block
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract: `ptr` came from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}
