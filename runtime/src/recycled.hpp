// Recycled<T, Capacity>: T's own operator new and delete keep up to
// `Capacity` freed blocks of T's size for the next new.
//
// For a large object made for every request on the reactor and destroyed on
// a worker thread (AppDispatcher::PyCall, ~2.4 KiB). glibc serves a block
// that size from the allocating thread's arena bins, past its per-thread
// cache; freeing it from another thread returns it to that arena, with the
// small blocks the worker frees alongside. The next large malloc on the
// reactor then first merges those small free blocks (malloc_consolidate),
// which was the largest part of the reactor's tail between "request parsed"
// and the hand-off. A block taken from this list costs a try_lock and two
// stores.
//
// What must hold:
//   - new and delete never wait: each takes the list's lock with try_lock
//     and falls back to the global operator new / delete when it is busy or
//     (for delete) full, so a thread holding the GIL never waits on it;
//   - only blocks of exactly sizeof(T) are kept (a class derived from T
//     and bigger goes to the global operators both ways);
//   - the list lives until the process ends (it is never destroyed), so a
//     T deleted during static destruction still finds it.
#pragma once

#include <cstddef>
#include <mutex>
#include <new>

namespace fasterapi::detail {

template <class T, std::size_t Capacity>
class Recycled {
public:
    static void* operator new(std::size_t size) {
        if (size == sizeof(T)) {
            if (void* block = list().take()) return block;
        }
        return ::operator new(size);
    }

    static void operator delete(void* block, std::size_t size) noexcept {
        if (block == nullptr) return;
        if (size == sizeof(T) && list().give(block)) return;
        ::operator delete(block);
    }

    // Blocks kept now (for tests and diagnostics; may change at once).
    static std::size_t kept() noexcept {
        List& l = list();
        std::lock_guard lock(l.mutex);
        return l.count;
    }

private:
    struct List {
        std::mutex mutex;
        std::size_t count = 0;
        void* blocks[Capacity];

        void* take() noexcept {
            std::unique_lock lock(mutex, std::try_to_lock);
            if (!lock.owns_lock() || count == 0) return nullptr;
            return blocks[--count];
        }
        bool give(void* block) noexcept {
            std::unique_lock lock(mutex, std::try_to_lock);
            if (!lock.owns_lock() || count == Capacity) return false;
            blocks[count++] = block;
            return true;
        }
    };

    static List& list() noexcept {
        static List* const instance = new List;  // never destroyed: see above
        return *instance;
    }
};

}  // namespace fasterapi::detail
