// A first-in first-out queue that allocates nothing until its first push.
//
// std::deque (libstdc++) allocates its map and a 512-byte node when it is
// constructed, even if nothing is ever queued: for the queues every
// connection holds (its pipelined requests, a WebSocket's inbox) that was
// ~1.1 KiB per idle connection. Fifo is a vector and the index of its front:
// popping moves the index (and releases the element at once); the consumed
// prefix is dropped when the queue empties, or when it is more than half of
// a vector past a few dozen elements. A queue left empty keeps at most
// `kept` elements of capacity.
//
// What must hold: elements come out in the order they went in; references to
// elements are invalidated by push_back (hold what they point to instead, as
// the connection does with its shared_ptr<Slot>s).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace fasterapi::detail {

template <class T>
class Fifo {
public:
    static constexpr std::size_t kept = 64;

    bool empty() const noexcept { return head_ == items_.size(); }
    std::size_t size() const noexcept { return items_.size() - head_; }
    T& front() noexcept { return items_[head_]; }
    const T& front() const noexcept { return items_[head_]; }
    void push_back(T value) { items_.push_back(std::move(value)); }
    void pop_back() {
        items_.pop_back();
        if (head_ == items_.size()) clear();
    }
    void pop_front() {
        items_[head_] = T();  // released now, not when the prefix is dropped
        ++head_;
        if (head_ == items_.size()) {
            clear();
        } else if (head_ >= 32 && head_ * 2 >= items_.size()) {
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
    }
    void clear() noexcept {
        if (items_.capacity() > kept) {
            std::vector<T>().swap(items_);
        } else {
            items_.clear();
        }
        head_ = 0;
    }
    std::size_t capacity() const noexcept { return items_.capacity(); }
    auto begin() noexcept { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
    auto end() noexcept { return items_.end(); }
    auto begin() const noexcept { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
    auto end() const noexcept { return items_.end(); }

private:
    std::vector<T> items_;
    std::size_t head_ = 0;
};

}  // namespace fasterapi::detail
