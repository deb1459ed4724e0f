#include "connection.hpp"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstring>

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "access_log.hpp"
#include "fasterapi/http/date.hpp"
#include "fasterapi/http/writer.hpp"
#include "fasterapi/ws/handshake.hpp"
#include "reactor.hpp"

namespace fasterapi {

namespace {

http::Response internal_error() {
    http::Response r;
    r.status = 500;
    r.add_header("content-type", "text/plain; charset=utf-8");
    r.body = "Internal Server Error";
    return r;
}

}  // namespace

Responder::~Responder() {
    if (!slot_) return;
    // Nobody answered (the handler raised, or the Responder was dropped):
    // answer 500 so the connection, and the responses queued behind this
    // one, do not wait forever. That 500 is the server's own, unfiltered.
    filter_.reset();
    try {
        send(internal_error());
    } catch (...) {
        // Out of memory while answering: the connection is dropped when the
        // server stops or the client gives up.
    }
}

Responder& Responder::operator=(Responder&& other) noexcept {
    if (this != &other) {
        Responder dropped(std::move(*this));  // answers 500 if unanswered
        slot_ = std::move(other.slot_);
        filter_ = std::move(other.filter_);
    }
    return *this;
}

namespace detail {
bool write_answer_here(Responder::Slot& slot, http::Response& response, Responder::Answer& answer) noexcept;
}  // namespace detail

void Responder::send(http::Response response) {
    std::shared_ptr<Slot> slot = std::move(slot_);
    if (!slot) return;
    if (filter_) {
        filter_->apply(response);
        filter_.reset();
    }
    Answer answer;
    if (!(WriteHere::allowed() && slot->lease.load(std::memory_order_acquire) == Slot::Lease::granted &&
          detail::write_answer_here(*slot, response, answer)))
        answer.response = std::move(response);
    slot->answer->set_value(std::move(answer));
}

namespace {

RequestHold take_hold(RequestHold::State state) {
    auto connection = state.connection.lock();
    if (!connection) return {};
    connection->hold();
    return RequestHold(std::make_shared<RequestHold::State>(std::move(state)));
}

}  // namespace

RequestHold Responder::hold() {
    if (!slot_) return {};
    return take_hold(RequestHold::State{slot_->connection, slot_->reactor, slot_});
}

RequestHold HangUp::hold() const {
    if (!state_) return {};
    return take_hold(*state_);
}

HangUp Responder::hang_up_handle() const {
    if (!slot_) return {};
    return HangUp(
        std::make_shared<RequestHold::State>(RequestHold::State{slot_->connection, slot_->reactor, slot_}));
}

namespace {

void hang_up_connection(const RequestHold::State& state) noexcept {
    auto connection = state.connection.lock();
    if (!connection) return;
    auto reactor = state.reactor.lock();
    if (!reactor) return;
    try {
        // Kept alive until then, so it cannot be mistaken for a later one.
        reactor->post([connection = std::move(connection), slot = state.slot.lock()] {
            connection->hang_up(slot.get());
        });
    } catch (...) {
        // Out of memory: the connection stays open, as it would have.
    }
}

}  // namespace

void HangUp::operator()() const noexcept {
    if (state_) hang_up_connection(*state_);
}

// Both count the hold down on the reactor thread, in the order of what the
// releasing thread posted before: a HangUp posted first has closed the
// connection by then, so no request behind it starts (and is lost) in
// between, as one would if the count dropped here, on the releasing thread,
// while the reactor parses.
void RequestHold::release_hanging_up() noexcept { release(true); }

void RequestHold::release() noexcept { release(false); }

void RequestHold::release(bool hang_up) noexcept {
    std::shared_ptr<State> state = std::move(state_);
    if (!state) return;
    auto connection = state->connection.lock();
    if (!connection) return;
    auto reactor = state->reactor.lock();
    if (!reactor) {
        connection->release_hold();
        return;
    }
    try {
        reactor->post([connection, slot = hang_up ? state->slot.lock() : nullptr, hang_up] {
            if (hang_up) connection->hang_up(slot.get());
            if (connection->release_hold()) connection->resume();
        });
    } catch (...) {
        // Out of memory: released here; the hold's time limit resumes a
        // request waiting on it.
        connection->release_hold();
    }
}

void detail::Connection::time_hold() {
    if (hold_timing_ || closed_ || lingering_ || read_closed_ || hang_up_ || in_.view().empty() || !held()) return;
    // Not while the pipeline is full or the request before it is still served:
    // the wait on the holds begins once they alone keep it from starting.
    const std::size_t max_pipelined = std::max<std::size_t>(context_.config.max_pipelined, 1);
    if (pending_.size() >= max_pipelined || dispatch_full()) return;
    hold_timing_ = true;
    if (!hold_timer_) hold_timer_ = std::make_unique<asio::steady_timer>(reactor_.io());
    hold_timer_->expires_after(hold_limit);
    hold_timer_->async_wait([self = shared_from_this()](std::error_code ec) {
        if (ec) return;  // released (or closed) in time; resume() cleared hold_timing_
        self->hold_timing_ = false;
        self->hold_lapsed_ = true;
        self->lapsed_at_ = self->holds_taken_.load(std::memory_order_acquire);
        self->resume();
    });
}

void detail::Connection::hang_up(const Slot* slot) {
    if (closed_ || lingering_ || ws_) return;
    hang_up_ = true;
    withdraw_lease(false);  // what is owed goes out as the reactor frames it
    // uvicorn closed its transport: requests pipelined behind this one are
    // never answered.
    auto at = std::find_if(pending_.begin(), pending_.end(), [slot](const auto& s) { return s.get() == slot; });
    if (at != pending_.end()) {
        while (pending_.size() > static_cast<std::size_t>(at - pending_.begin()) + 1) pending_.pop_back();
        return;  // flush() closes once it is written
    }
    pending_.clear();  // its response is written, or on its way
    if (in_write_) close_after_write_ = true;
    else finish();
}

void detail::Connection::resume() {
    if (holds_.load(std::memory_order_acquire) == 0) {
        hold_lapsed_ = false;
        if (hold_timing_) {
            hold_timing_ = false;
            hold_timer_->cancel();
        }
    }
    if (closed_ || lingering_ || processing_) return;
    process(false);
}

std::unique_ptr<ResponseStream> Responder::stream(http::Response head) {
    std::shared_ptr<Slot> slot = std::move(slot_);
    auto core = std::make_shared<ResponseStream::Core>();
    auto stream = std::make_unique<ResponseStream>(core);
    if (!slot) {
        core->close();
        return stream;
    }
    if (filter_) {
        filter_->apply(head);
        filter_.reset();
    }
    core->connection = slot->connection;
    core->reactor = slot->reactor;
    // The head carries no computed length: the body's size is not known.
    head.has_content_length = true;
    if (!head.body.empty()) {
        core->append(head.body);
        head.body.clear();
    }
    Answer answer;
    answer.response = std::move(head);
    answer.stream = core;
    slot->answer->set_value(std::move(answer));
    return stream;
}

std::unique_ptr<WebSocket> Responder::websocket(WebSocketOffer offer) {
    std::shared_ptr<Slot> slot = std::move(slot_);
    auto core = std::make_shared<WebSocket::Core>();
    core->offer = std::move(offer);
    auto handle = std::make_unique<WebSocket>(core);
    if (!slot) {
        core->disconnect(ws::close_code::abnormal, {});
        return handle;
    }
    filter_.reset();  // a WebSocket has no HTTP response head to filter
    core->connection = slot->connection;
    core->reactor = slot->reactor;
    Answer answer;
    answer.websocket = core;
    slot->answer->set_value(std::move(answer));
    return handle;
}

Responder::Answer::~Answer() {
    if (stream) stream->close();
    if (websocket) websocket->disconnect(ws::close_code::abnormal, {});
}

Responder::Slot::~Slot() {
    if (stream) stream->close();
    if (websocket) websocket->disconnect(ws::close_code::abnormal, {});  // never upgraded
}

}  // namespace fasterapi

namespace fasterapi::detail {

namespace {

std::int64_t steady_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

constexpr std::size_t initial_buffer = 8 * 1024;
constexpr std::size_t min_read = 4 * 1024;
constexpr std::size_t idle_buffer_limit = 64 * 1024;
// Input read ahead while requests before it are served, waiting its turn to
// be parsed: reading pauses beyond this.
constexpr std::size_t unparsed_limit = 64 * 1024;
// Bodies up to this size are copied next to their head so small responses
// leave in one buffer; larger ones are written from the Response itself.
constexpr std::size_t coalesce_limit = 16 * 1024;
// More writes than this in one large batch of a chunked stream are copied.
constexpr std::size_t max_referenced_pieces = 64;
constexpr std::size_t out_capacity_limit = 256 * 1024;
constexpr auto linger_time = std::chrono::seconds(2);
constexpr std::size_t linger_bytes = 1024 * 1024;
// WebSocket keep-alive, as uvicorn's defaults: a ping after 20 s without a
// byte from the peer, and the connection dropped 20 s later if still silent.
constexpr auto websocket_ping_interval = std::chrono::seconds(20);
constexpr auto websocket_ping_timeout = std::chrono::seconds(20);

}  // namespace

asio::mutable_buffer InputBuffer::prepare(std::size_t min_free) {
    if (capacity_ - end_ < min_free) {
        const std::size_t used = end_ - begin_;
        if (capacity_ - used >= min_free && begin_ > 0) {
            std::memmove(data_.get(), data_.get() + begin_, used);
        } else {
            const std::size_t capacity = std::max({initial_buffer, capacity_ * 2, used + min_free});
            auto grown = std::make_unique_for_overwrite<char[]>(capacity);
            if (used > 0) std::memcpy(grown.get(), data_.get() + begin_, used);
            data_ = std::move(grown);
            capacity_ = capacity;
        }
        begin_ = 0;
        end_ = used;
    } else if (begin_ == end_) {
        begin_ = end_ = 0;
    }
    return asio::buffer(data_.get() + end_, capacity_ - end_);
}

void InputBuffer::shrink(std::size_t keep) noexcept {
    if (capacity_ > keep && begin_ == end_) {
        data_.reset();
        capacity_ = begin_ = end_ = 0;
    }
}

Connection::Connection(Reactor& reactor, asio::ip::tcp::socket socket, bool counted)
    : reactor_(reactor),
      context_(reactor.context()),
      socket_(std::move(socket)),
      read_deadline_(reactor.io()),
      write_deadline_(reactor.io()),
      parser_(std::make_unique<http::Parser>(reactor.context().limits)),
      counted_(counted) {
    std::error_code ec;
    const auto peer = socket_.remote_endpoint(ec);
    if (!ec) {
        peer_host_ = peer.address().to_string();
        peer_port_ = peer.port();
        if (context_.access_log != nullptr) peer_ = peer_host_ + ":" + std::to_string(peer_port_);
    }
}

void Connection::start() {
    update_read_deadline(false);
    start_read();
}

void Connection::refuse(std::uint16_t status) {
    reject(status);
    settle();
}

void Connection::start_read() {
    const bool drained = drained_;
    drained_ = false;
    if (in_.view().empty() && (drained || socket_empty())) {
        // Nothing to parse and nothing in the socket: wait for bytes without
        // lending a buffer to the kernel. A long-lived connection (WebSocket,
        // event stream) gives its buffer back meanwhile, so an idle one costs
        // a few hundred bytes instead of the buffer's 8 KiB.
        if (ws_ || streaming()) {
            in_.shrink(0);
            release_write_buffers();
        } else {
            in_.shrink(idle_buffer_limit);
        }
        reading_ = true;
        waiting_ = true;
        socket_.async_wait(asio::ip::tcp::socket::wait_read,
                           [self = shared_from_this()](std::error_code ec) { self->on_readable(ec); });
        return;
    }
    in_.shrink(idle_buffer_limit);
    reading_ = true;
    const asio::mutable_buffer room = in_.prepare(min_read);
    asked_ = room.size();
    socket_.async_read_some(room, [self = shared_from_this()](std::error_code ec, std::size_t n) {
        self->on_read(ec, n);
    });
}

bool Connection::socket_empty() noexcept {
    // The reactor is edge-triggered: readiness that arrived while no read
    // was queued has been reported already, and a wait queued now would not
    // see it. So a wait is only started when a read in this same handler
    // found the socket empty (drained_) or this peek does.
    char byte;
    const ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void Connection::release_idle_buffer() noexcept {
    // Not while a read into the buffer is in flight; a wait needs none.
    if (!reading_ || waiting_) in_.shrink(0);
}

// A long-lived connection waiting for its peer with nothing to write keeps
// no write buffer either (the 101 or the stream's head and its last frames
// otherwise stay allocated for as long as it is idle).
void Connection::release_write_buffers() noexcept {
    if (in_write_ || closed_) return;
    std::string().swap(out_);
    std::vector<std::pair<std::size_t, std::string_view>>().swap(bodies_);
    std::vector<asio::const_buffer>().swap(buffers_);
    if (ws_) {
        std::lock_guard lock(ws_->mutex);
        if (ws_->queued.empty()) std::string().swap(ws_->queued);
    }
}

void Connection::on_readable(std::error_code ec) {
    waiting_ = false;
    if (closed_) {
        reading_ = false;
        return;
    }
    std::size_t n = 0;
    if (!ec) {
        if (!socket_.non_blocking()) socket_.non_blocking(true, ec);
        const asio::mutable_buffer room = in_.prepare(min_read);
        asked_ = room.size();
        if (!ec) n = socket_.read_some(room, ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            reading_ = false;
            drained_ = true;  // woken without data after all
            start_read();
            return;
        }
    }
    on_read(ec, n);
}

void Connection::on_read(std::error_code ec, std::size_t n) {
    reading_ = false;
    if (closed_) return;
    // Less than there was room for: the socket is empty now, so a wait
    // started while handling these bytes misses nothing.
    drained_ = !ec && n < asked_;
    struct Forget {
        bool& flag;
        ~Forget() { flag = false; }
    } forget{drained_};  // a later start_read, from another handler, must look again
    if (lingering_) {
        lingered_ += n;
        if (ec || lingered_ > linger_bytes) {
            close();
            return;
        }
        in_.discard();
        start_read();
        return;
    }
    if (ec) {
        // A client that goes away while a body streams to it is gone: the
        // producer must learn it now, not when the stream next writes.
        if (ec != asio::error::eof || streaming() || ws_) {
            close();
            return;
        }
        // The client finished sending. Answer what it asked for (it may
        // still read), including requests read but not yet parsed (waiting
        // for the ones before them), drop any partial request, then close.
        eof_ = true;
        process(false);
        return;
    }
    in_.commit(n);
    process(true);
}

void Connection::process(bool bytes_arrived) {
    if (closed_ || lingering_) return;
    if (ws_) {
        processing_ = true;
        process_frames();
        processing_ = false;
        flush_frames();
        if (closed_ || lingering_) return;
        if (bytes_arrived && read_wait_ != ReadWait::ws_closing) {
            read_wait_ = ReadWait::ws_idle;
            set_deadline(read_deadline_, Clock::now() + websocket_ping_interval);
        }
        bool paused;
        {
            std::lock_guard lock(ws_->mutex);
            paused = ws_->inbox_bytes >= WebSocket::inbox_limit;
            ws_->reading_paused = paused;
        }
        if (!paused && !ws_finish_ && !reading_) start_read();
        return;
    }
    for (;;) {
        processing_ = true;
        bool blocked = false;  // parsing stopped by a limit, not for want of input
        for (;;) {
            if (read_closed_) break;
            if (parse_blocked()) {
                blocked = true;
                break;
            }
            const std::string_view data = in_.view();
            if (data.empty()) break;
            const http::Parser::Result result = parser_->parse(data);
            if (result == http::Parser::Result::need_more) {
                if (parser_->expects_continue()) {
                    if (!continue_asked_) {
                        continue_asked_ = true;
                        http::Request head = parser_->head_request(data);
                        continue_reads_ = context_.dispatcher.reads_body(head);
                        if (!continue_reads_) {
                            // Its answer does not depend on the body: answered
                            // now, without a 100, as uvicorn answers a request
                            // the application never reads; a body sent anyway
                            // is parsed and dropped.
                            parser_->continue_sent();
                            early_ = true;
                            dispatch(std::move(head), true, false);
                            break;
                        }
                    }
                    continue_due_ = true;
                }
                break;
            }
            if (result == http::Parser::Result::error) {
                if (early_) {
                    // The body of a request answered at its head is malformed or
                    // too large: no second answer to one request; the connection
                    // closes once the answer is written.
                    read_closed_ = true;
                    break;
                }
                reject(parser_->error_status());
                break;
            }
            in_.consume(parser_->consumed());
            http::Request request = parser_->take_request();
            const bool owed = parser_->continue_owed();
            const bool reads = owed && (continue_asked_ ? continue_reads_ : context_.dispatcher.reads_body(request));
            const bool early = early_;
            parser_->reset();
            continue_asked_ = continue_reads_ = early_ = false;
            if (!early) dispatch(std::move(request), owed, reads);
        }
        // The input has ended and all of it is parsed: a partial request left is dropped.
        if (eof_ && !blocked) read_closed_ = true;
        if (read_closed_) withdraw_lease(false);  // the last response says the connection closes
        processing_ = false;
        settle();
        if (closed_ || lingering_) return;
        // What settle() wrote may have ended what held parsing back (a stream
        // written to its end): then parse on.
        if (!blocked || read_closed_ || in_.view().empty() || parse_blocked()) break;
    }
    time_hold();
    if (!read_closed_ && !eof_ && !reading_ && may_read()) start_read();
    update_read_deadline(bytes_arrived);
}

// Whether flush() closes the connection after this ready answer, whatever
// comes after it (a sure subset of what flush() decides).
bool Connection::closes_after(const Slot& slot) noexcept {
    if (!slot.ready || slot.stream || slot.websocket || slot.written) return false;
    const http::Response& r = slot.response;
    if (slot.verbatim || r.close || r.hang_up || !slot.keep_alive || !http::final_status(r.status)) return true;
    const http::OwnFraming own = http::own_framing(r.headers);
    return own.close || own.refused;
}

bool Connection::dispatch_full() const noexcept {
    const std::size_t limit = context_.config.max_dispatched;
    if (limit == 0) return false;  // max_pipelined bounds it
    std::size_t serving = 0;
    for (const auto& slot : pending_) {
        // An answer flush() has not taken yet that will close the connection
        // counts too: the request behind it must never start, as under
        // uvicorn (settle() takes it in the same turn, and then nothing more
        // is parsed).
        if ((!slot->ready || slot->stream || closes_after(*slot)) && ++serving >= limit) return true;
    }
    return false;
}

bool Connection::parse_blocked() const noexcept {
    // A full pipeline; a RequestHold of an earlier request (its after-response
    // work runs first); or the requests before it still being served.
    const std::size_t max_pipelined = std::max<std::size_t>(context_.config.max_pipelined, 1);
    return pending_.size() >= max_pipelined || held() || dispatch_full();
}

bool Connection::may_read() const noexcept {
    // Reading goes on while parsing waits (so a client that leaves is seen),
    // for a bounded amount of input; the request being parsed reads on (its
    // body may be long). Not with a full pipeline, nor once hanging up.
    if (hang_up_) return false;
    if (!parse_blocked()) return true;
    const std::size_t max_pipelined = std::max<std::size_t>(context_.config.max_pipelined, 1);
    return pending_.size() < max_pipelined && in_.view().size() < unparsed_limit;
}

void Connection::dispatch(http::Request&& request, bool continue_owed, bool reads_body) {
    ++requests_;
    auto slot = std::make_shared<Slot>(reactor_.scheduler(), std::weak_ptr<const void>(reactor_.weak_from_this()));
    slot->connection = weak_from_this();
    slot->reactor = reactor_.weak_from_this();
    slot->continue_owed = continue_owed;
    slot->continue_reads_body = reads_body;
    slot->head = request.method == http::Method::head;
    slot->version_minor = request.version_minor;
    const std::size_t max_requests = context_.config.max_requests_per_connection;
    const bool last = (max_requests != 0 && requests_ >= max_requests) || context_.stopping.load();
    // h11 (uvicorn's HTTP/1.1 layer) keeps no HTTP/1.0 connection alive,
    // `Connection: keep-alive` or not: the answer says `Connection: close`.
    slot->keep_alive = request.keep_alive && request.version_minor >= 1 && !last;
    // A WebSocket upgrade is the last HTTP request on its connection: either
    // it is accepted and frames follow, or its refusal closes.
    if (const http::Header* upgrade = request.find_header("upgrade");
        upgrade != nullptr && ws::upgrade_has_websocket(upgrade->value)) {
        slot->keep_alive = false;
    }
    if (!slot->keep_alive) read_closed_ = true;
    last_version_minor_ = request.version_minor;
    if (context_.access_log != nullptr) {
        std::string& line = slot->log_request;
        line.reserve(request.method_token.size() + request.path.size() + request.query.size() + 12);
        line.append(request.method_token);
        line.push_back(' ');
        line.append(request.path);
        if (!request.query.empty()) {
            line.push_back('?');
            line.append(request.query);
        }
        line.append(request.version_minor == 0 ? " HTTP/1.0" : " HTTP/1.1");
    }
    if (context_.config.request_timing) slot->parsed_ns = steady_ns();
    request.peer_host = peer_host_;
    request.peer_port = peer_port_;
    // The request's life from here on: the dispatcher resolves its answer
    // (from any thread, through the Responder); on this thread the answer
    // then joins the response order.
    detail::when_resolved(slot->answer->get_future(),
                          [connection = weak_from_this(), weak = std::weak_ptr<Slot>(slot)](future<Responder::Answer> f) {
                              // Failed only when the Responder went away unanswered as its reactor stopped.
                              if (f.failed()) return;
                              Responder::Answer answer = f.get();
                              auto self = connection.lock();
                              auto place = weak.lock();
                              if (self && place) self->answered(*place, std::move(answer));
                              // Otherwise the answer's stream or WebSocket learns it is over.
                          });
    // Its answering thread may write the response (WriteHere): nothing is
    // owed (answers already written here aside) or being written before it,
    // and nothing is dispatched after it before it is answered.
    const bool owes_nothing = std::all_of(pending_.begin(), pending_.end(), [](const std::shared_ptr<Slot>& s) {
        return s->written && s->unsent.empty();  // written before the reactor heard of it
    });
    if (context_.config.write_here && owes_nothing && !in_write_ && !read_closed_ && !eof_ && !hang_up_ &&
        !ws_ && slot->keep_alive && !slot->head && !continue_owed && context_.config.max_dispatched == 1) {
        slot->lease_fd = socket_.native_handle();
        slot->lease_timed = slot->parsed_ns != 0;
        slot->server_header = context_.config.server_header;
        slot->lease.store(Slot::Lease::granted, std::memory_order_release);
        leased_ = slot;
    }
    pending_.push_back(slot);
    try {
        context_.dispatcher.dispatch(std::move(request), Responder(std::move(slot)));
        reactor_.dispatched();
    } catch (...) {
        // The Responder, destroyed on the way out, has answered 500.
    }
}

// A protocol error (or a timeout, or a refusal): answer it after whatever is
// already pending, then close. The request is not dispatched.
void Connection::reject(std::uint16_t status) {
    auto slot = std::make_shared<Slot>();
    slot->ready = true;
    slot->keep_alive = false;
    http::Response& r = slot->response;
    r.status = status;
    if (status == 400) {
        // A request outside HTTP/1.1's grammar: uvicorn's answer to h11's
        // refusal, byte for byte. h11 frames it by what it knows of the
        // client: chunked once a head of HTTP/1.1 was accepted (this
        // request's, its body then being at fault, or an earlier one's on
        // the connection), else delimited by the close, with h11's own
        // `Connection: close`.
        const int known = parser_ && parser_->accepted_version_minor() >= 0 ? parser_->accepted_version_minor()
                                                                             : last_version_minor_;
        r.has_content_length = true;  // no content-length: framed as h11 frames it
        if (known == 1) {
            r.headers = "content-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
                        "Transfer-Encoding: chunked\r\n";
            r.body = "1e\r\nInvalid HTTP request received.\r\n0\r\n\r\n";
        } else {
            r.headers = "content-type: text/plain; charset=utf-8\r\nConnection: close\r\n";
            r.body = "Invalid HTTP request received.";
        }
        slot->verbatim = true;
    } else {
        r.add_header("content-type", "text/plain; charset=utf-8");
        r.body = http::reason_phrase(status);
        r.close = true;
    }
    pending_.push_back(std::move(slot));
    read_closed_ = true;
}

void Connection::answered(Slot& slot, Responder::Answer&& answer) {
    if (answer.websocket) {
        deliver_websocket(slot, std::move(answer.websocket));
    } else if (answer.stream) {
        deliver_stream(slot, std::move(answer.response), std::move(answer.stream));
    } else if (answer.written) {
        if (leased_.get() == &slot) leased_.reset();
        if (answer.write_failed) {
            close();
            return;
        }
        if (closed_ || slot.ready) return;
        slot.written = true;
        slot.unsent = std::move(answer.unsent);
        slot.written_ns = answer.written_ns;
        slot.written_status = answer.written_status;
        slot.ready = true;
        if (!processing_) process(false);
    } else {
        if (leased_.get() == &slot) leased_.reset();
        deliver(slot, std::move(answer.response));
    }
}

void Connection::deliver(Slot& slot, http::Response&& response) {
    if (closed_ || slot.ready) return;
    slot.response = std::move(response);
    slot.ready = true;
    if (processing_) return;  // the running process() flushes the whole batch once
    // Writes it (with any answers queued behind it), and resumes parsing if
    // this frees a place in the pipeline.
    process(false);
}

void Connection::deliver_websocket(Slot& slot, std::shared_ptr<WebSocket::Core> core) {
    if (closed_ || slot.ready) {
        core->disconnect(ws::close_code::abnormal, {});
        return;
    }
    slot.websocket = std::move(core);
    slot.ready = true;  // flush_upgrade() waits for the application's answer
    if (processing_) return;
    process(false);
}

void Connection::websocket_progress() {
    if (closed_ || processing_) return;
    if (ws_) {
        bool resume = false;
        {
            std::lock_guard lock(ws_->mutex);
            if (ws_->aborted) ws_finish_ = true;
            if (ws_->phase == WebSocket::Core::Phase::closing && read_wait_ != ReadWait::ws_closing) {
                read_wait_ = ReadWait::ws_closing;
                set_deadline(read_deadline_, Clock::now() + std::chrono::seconds(5));
            }
            resume = !ws_->reading_paused && !reading_ && !ws_finish_;
        }
        flush_frames();
        if (resume && !closed_ && !lingering_) start_read();
        return;
    }
    process(false);
}

bool Connection::flush_upgrade() {
    Slot& slot = *pending_.front();
    WebSocket::Core& core = *slot.websocket;
    std::unique_lock lock(core.mutex);
    switch (core.phase) {
        case WebSocket::Core::Phase::handshake:
            return false;
        case WebSocket::Core::Phase::refused:
            slot.response = std::move(core.refusal);
            lock.unlock();
            slot.websocket.reset();  // an ordinary response now; the connection closes after it
            return true;
        default:
            break;
    }
    // Accepted: the 101, then frames. Nothing was parsed after the upgrade.
    out_.append(core.accept_head);
    std::string().swap(core.accept_head);
    if (context_.access_log != nullptr && !slot.log_request.empty())
        context_.access_log->write(peer_, slot.log_request, 101);
    ws_ = std::move(slot.websocket);
    frames_.emplace(ws::ParserLimits{}, ws_->deflate);
    parser_.reset();  // no HTTP request follows on this connection
    lock.unlock();
    pending_.pop_front();
    pending_.clear();
    read_closed_ = false;
    continue_due_ = continue_asked_ = continue_reads_ = early_ = false;
    read_wait_ = ReadWait::ws_idle;
    set_deadline(read_deadline_, Clock::now() + websocket_ping_interval);
    return true;
}

void Connection::process_frames() {
    std::string_view input = in_.view();
    const std::size_t offered = input.size();
    bool stop = false;
    while (!stop) {
        const ws::Event e = frames_->next(input);
        using Kind = ws::Event::Kind;
        switch (e.kind) {
            case Kind::need_more:
                stop = true;
                break;
            case Kind::text:
            case Kind::binary: {
                WebSocket::Received m;
                m.kind = e.kind == Kind::text ? WebSocket::Received::Kind::text : WebSocket::Received::Kind::binary;
                m.data = frames_->take_payload();
                ws_->deliver(std::move(m));
                break;
            }
            case Kind::ping: {
                std::lock_guard lock(ws_->mutex);
                if (!ws_->close_sent) ws::append_pong(ws_->queued, e.payload);
                break;
            }
            case Kind::pong:
                break;
            case Kind::close: {
                {
                    std::lock_guard lock(ws_->mutex);
                    if (!ws_->close_sent) {  // echo the peer's code and reason, as uvicorn does
                        ws::append_close(ws_->queued, e.code, e.payload);
                        ws_->close_sent = true;
                    }
                }
                ws_->disconnect(e.code, std::string(e.payload));
                ws_finish_ = true;
                stop = true;
                break;
            }
            case Kind::error: {
                {
                    std::lock_guard lock(ws_->mutex);
                    if (!ws_->close_sent) {
                        ws::append_close(ws_->queued, e.code);
                        ws_->close_sent = true;
                    }
                }
                ws_->disconnect(ws::close_code::abnormal, {});
                ws_finish_ = true;
                stop = true;
                break;
            }
        }
    }
    in_.consume(offered - input.size());
    if (ws_finish_) in_.discard();
}

void Connection::flush_frames() {
    if (in_write_ || closed_ || lingering_) return;
    out_.clear();
    bool wake = false;
    {
        std::unique_lock lock(ws_->mutex);
        if (!ws_->queued.empty()) {
            out_.append(ws_->queued);
            ws_->queued.clear();
            if (ws_->queued.capacity() > WebSocket::high_water) ws_->queued.shrink_to_fit();
        }
        // Nothing to write: until the next write, a sender may write itself.
        ws_->direct_fd = out_.empty() && !ws_finish_ ? socket_.native_handle() : -1;
        if (ws_->full) {
            ws_->full = false;
            wake = true;
        }
        if (wake) ws_->wake_unlocked(lock);
    }
    if (out_.empty()) {
        if (ws_finish_) finish();
        return;
    }
    in_write_ = true;
    close_after_write_ = false;
    set_deadline(write_deadline_, Clock::now() + context_.config.write_timeout);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](std::error_code ec, std::size_t) { self->on_write(ec); });
}

void Connection::on_websocket_timeout() {
    switch (read_wait_) {
        case ReadWait::ws_idle: {  // quiet for a while: is the peer still there?
            {
                std::lock_guard lock(ws_->mutex);
                if (!ws_->close_sent) ws::append_ping(ws_->queued, {});
            }
            read_wait_ = ReadWait::ws_ping;
            set_deadline(read_deadline_, Clock::now() + websocket_ping_timeout);
            flush_frames();
            return;
        }
        default:  // no answer to the ping, or to our close frame
            close();
            return;
    }
}

void Connection::deliver_stream(Slot& slot, http::Response&& head, std::shared_ptr<ResponseStream::Core> stream) {
    if (closed_ || slot.ready) {
        stream->close();
        return;
    }
    slot.response = std::move(head);
    slot.stream = std::move(stream);
    slot.ready = true;
    if (in_.view().empty()) release_idle_buffer();
    if (processing_) return;
    process(false);
}

void Connection::stream_progress() {
    if (closed_ || processing_ || in_write_) return;  // on_write picks the bytes up
    process(false);
}

bool Connection::streaming() const noexcept {
    for (const auto& slot : pending_) {
        if (slot->stream) return true;
    }
    return false;
}

namespace {

bool has_header(std::string_view lines, std::string_view name) {
    // `lines` is "name: value\r\n..." with lower-case names.
    std::size_t at = 0;
    while (at < lines.size()) {
        if (lines.compare(at, name.size(), name) == 0 && at + name.size() < lines.size() &&
            lines[at + name.size()] == ':') {
            return true;
        }
        const std::size_t eol = lines.find('\n', at);
        if (eol == std::string_view::npos) break;
        at = eol + 1;
    }
    return false;
}

void append_chunk_size(std::string& out, std::size_t n) {
    char size[20];
    const auto end = std::to_chars(size, size + sizeof size, n, 16).ptr;
    out.append(size, end);
    out.append("\r\n");
}

void append_chunk(std::string& out, std::string_view data) {
    append_chunk_size(out, data.size());
    out.append(data);
    out.append("\r\n");
}

// `data` as one chunk per piece (the sizes of the writes it holds).
void append_chunks(std::string& out, std::string_view data, const std::vector<std::uint32_t>& pieces) {
    out.reserve(out.size() + data.size() + pieces.size() * 12);
    std::size_t at = 0;
    for (const std::uint32_t n : pieces) {
        append_chunk(out, data.substr(at, n));
        at += n;
    }
}

// A response with transfer-encoding: chunked of its own has its body
// framed by the server, as h11 frames it: the response's own length and
// transfer-encoding lines go (the head gets the server's).
void drop_own_length(http::Response& r) {
    http::remove_header(r.headers, "content-length");
    http::remove_header(r.headers, "transfer-encoding");
    r.has_content_length = true;  // no computed length either
}

// Whether the connection closes after the response, and which connection
// line its head gets, as h11 decides: when the server closes for reasons of
// its own (`server_close`), its line replaces the response's; else a
// response's own line asking to close is kept as it is, and the connection
// closes after it.
bool connection_lines(http::Response& r, const http::OwnFraming& own, bool server_close,
                      http::ResponseFraming& framing) {
    framing.close = server_close;
    if (own.connection && server_close) http::remove_header(r.headers, "connection");
    return server_close || own.close;
}

}  // namespace

// The answering thread writes `response` itself (Slot::Lease, WriteHere):
// false, with nothing done, when the response needs the reactor (its own
// framing lines, a close, an interim status) or the lease is gone. Only
// this lease's socket is touched, and only while `writing`.
bool write_answer_here(Responder::Slot& slot, http::Response& r, Responder::Answer& answer) noexcept {
    using Lease = Responder::Slot::Lease;
    if (r.close || r.hang_up || !http::final_status(r.status)) return false;
    const http::OwnFraming own = http::own_framing(r.headers);
    if (own.refused || own.chunked || own.close) return false;
    Lease expected = Lease::granted;
    if (!slot.lease.compare_exchange_strong(expected, Lease::writing, std::memory_order_acq_rel)) return false;
    thread_local http::DateCache date;
    thread_local std::string head;
    bool failed = false;
    try {
        head.clear();
        http::ResponseFraming framing;
        connection_lines(r, own, false, framing);
        framing.date = date.now();
        framing.server = slot.server_header;
        const std::string_view body = http::write_head(head, r, framing) ? std::string_view(r.body) : std::string_view();
        if (slot.lease_timed) answer.written_ns = steady_ns();
        // The head from this thread's buffer, the body where it is.
        std::size_t sent = 0;
        const std::size_t total = head.size() + body.size();
        while (sent < total) {
            iovec parts[2];
            int count = 0;
            if (sent < head.size()) parts[count++] = {head.data() + sent, head.size() - sent};
            const std::size_t body_sent = sent > head.size() ? sent - head.size() : 0;
            if (body_sent < body.size())
                parts[count++] = {const_cast<char*>(body.data()) + body_sent, body.size() - body_sent};
            msghdr message{};
            message.msg_iov = parts;
            message.msg_iovlen = static_cast<std::size_t>(count);
            const ssize_t n = ::sendmsg(slot.lease_fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0) {
                sent += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            // EAGAIN: the socket is full; the reactor writes the rest. Else
            // the client is gone: the reactor closes.
            failed = n < 0 && errno != EAGAIN && errno != EWOULDBLOCK;
            break;
        }
        if (!failed && sent < total) {
            if (sent < head.size()) answer.unsent.assign(head, sent);
            answer.unsent.append(body.substr(sent > head.size() ? sent - head.size() : 0));
        }
    } catch (...) {
        // Out of memory: whatever was not sent cannot be; the connection ends.
        failed = true;
    }
    answer.written = true;
    answer.write_failed = failed;
    answer.written_status = r.status;
    expected = Lease::writing;
    if (!slot.lease.compare_exchange_strong(expected, Lease::done, std::memory_order_acq_rel)) {
        // The connection closed while this wrote, and left the descriptor to us.
        ::close(slot.orphan_fd);
    }
    return true;
}

void Connection::withdraw_lease(bool closing) noexcept {
    if (!leased_) return;
    using Lease = Slot::Lease;
    Slot& slot = *leased_;
    Lease expected = Lease::granted;
    if (slot.lease.compare_exchange_strong(expected, Lease::withdrawn, std::memory_order_acq_rel)) {
        leased_.reset();
        return;
    }
    if (expected != Lease::writing || !closing) return;  // written already, or the writer's bytes stand
    // Writing to the socket right now: the writer closes the descriptor
    // once done, so no other socket can take its number meanwhile.
    std::error_code ec;
    const int fd = socket_.release(ec);
    if (ec) return;  // still ours: closed with the socket as usual
    slot.orphan_fd = fd;
    if (!slot.lease.compare_exchange_strong(expected, Lease::orphaned, std::memory_order_acq_rel)) ::close(fd);
    leased_.reset();
}

bool Connection::flush_stream(bool& close_after) {
    Slot& slot = *pending_.front();
    if (!slot.head_written && slot.continue_owed) {
        slot.continue_owed = false;
        out_.append(http::continue_response);
    }
    if (!slot.head_written &&
        (!http::final_status(slot.response.status) || http::own_framing(slot.response.headers).refused)) {
        slot.stream->close();  // its producer stops as if the client had left
        std::shared_ptr<Slot> done = std::move(pending_.front());
        pending_.pop_front();
        close_after = true;
        writing_.push_back(std::move(done));
        return true;
    }
    if (!slot.head_written) {
        http::Response& r = slot.response;
        const http::OwnFraming own = http::own_framing(r.headers);
        slot.head_written = true;
        slot.body_allowed = !slot.head && http::status_allows_body(r.status);
        const bool own_chunked = own.chunked && http::status_allows_body(r.status);
        if (own_chunked) drop_own_length(r);
        const bool sized = !own_chunked &&
                           (has_header(r.headers, "content-length") || has_header(r.headers, "transfer-encoding"));
        slot.chunked = slot.body_allowed && !sized && slot.version_minor >= 1;
        // HTTP/1.0 without a length: the body ends when the connection does.
        const bool until_close = slot.body_allowed && !sized && slot.version_minor == 0;
        http::ResponseFraming framing;
        framing.head_request = slot.head;
        slot.close_after = connection_lines(
            r, own, r.close || !slot.keep_alive || until_close || (read_closed_ && pending_.size() == 1), framing);
        // A HEAD answer has the head a GET would have had, chunked framing
        // announced included (as h11 writes it), just no body.
        framing.chunked = slot.chunked ||
                          (slot.head && http::status_allows_body(r.status) && !sized && slot.version_minor >= 1);
        framing.date = reactor_.date();
        framing.server = context_.config.server_header;
        http::write_head(out_, r, framing);
        if (context_.access_log != nullptr && !slot.log_request.empty())
            context_.access_log->write(peer_, slot.log_request, r.status);
    }

    ResponseStream::Core& core = *slot.stream;
    bool ended = false, aborted = false, closed = false, referenced = false, had_room = false;
    std::function<void()> wake;
    {
        std::lock_guard lock(core.mutex);
        if (!core.queued.empty()) {
            // Chunked, each write is a chunk of its own, as h11 sends each
            // body message; many small ones are copied, framed, rather than
            // referenced one by one.
            const bool copy = core.queued.size() <= coalesce_limit ||
                              (slot.chunked && core.pieces.size() > max_referenced_pieces);
            if (!slot.body_allowed) {
                core.queued.clear();
            } else if (copy) {
                if (slot.chunked) append_chunks(out_, core.queued, core.pieces);
                else out_.append(core.queued);
                core.queued.clear();
            } else {
                // Large: the queue's buffer goes out by reference; the stream
                // queues into the one written last time.
                slot.in_flight.clear();
                slot.in_flight.swap(core.queued);
                if (slot.chunked) {
                    std::size_t at = 0;
                    for (const std::uint32_t n : core.pieces) {
                        append_chunk_size(out_, n);
                        bodies_.emplace_back(out_.size(), std::string_view(slot.in_flight).substr(at, n));
                        out_.append("\r\n");
                        at += n;
                    }
                } else {
                    bodies_.emplace_back(out_.size(), slot.in_flight);
                }
                referenced = true;
            }
            core.pieces.clear();
            if (core.queued.capacity() > 2 * ResponseStream::high_water) core.queued.shrink_to_fit();
            if (core.pieces.capacity() > 1024) std::vector<std::uint32_t>().swap(core.pieces);
        }
        if (core.full) {
            core.full = false;
            had_room = true;
            if (!core.closed) wake = core.waker;
        }
        ended = core.ended;
        aborted = core.aborted;
        closed = core.closed;
    }
    // A producer blocked in wait_writable() is told whether or not it also
    // set a waker.
    if (had_room) core.changed.notify_all();
    if (wake) wake();
    if (!ended && !aborted && !closed) {
        if (referenced) writing_.push_back(pending_.front());  // in_flight is alive until written
        return false;
    }

    std::shared_ptr<Slot> done = std::move(pending_.front());
    pending_.pop_front();
    if (ended && slot.chunked) out_.append("0\r\n\r\n");
    // An aborted body closes without its end.
    close_after = slot.close_after || !ended || (hang_up_ && pending_.empty());
    writing_.push_back(std::move(done));
    return true;
}

// Writes what is ready; once closing with nothing left to write, finishes.
void Connection::settle() {
    flush();
    if (!closed_ && !lingering_ && !in_write_ && (read_closed_ || hang_up_) && pending_.empty()) finish();
}

void Connection::flush() {
    if (in_write_ || closed_ || lingering_) return;
    out_.clear();
    bodies_.clear();
    bool close_after = false;
    if (ws_) {
        flush_frames();
        return;
    }
    while (!pending_.empty() && pending_.front()->ready) {
        if (pending_.front()->websocket) {
            if (!flush_upgrade()) break;  // the application has not answered yet
            // Accepted: out_ ends with the 101; frames follow once it is written.
            if (ws_) break;
            continue;  // refused: written below as an ordinary response
        }
        if (pending_.front()->stream) {
            if (!flush_stream(close_after)) break;  // its producer has more to come
            if (close_after) {
                pending_.clear();
                read_closed_ = true;
                break;
            }
            continue;
        }
        std::shared_ptr<Slot> slot = std::move(pending_.front());
        pending_.pop_front();
        if (slot->written) {
            // Its answering thread wrote it (Slot::Lease); what the socket did
            // not take goes first. The connection closes after it as after any
            // response: hanging up, or nothing more to be read.
            out_.append(slot->unsent);
            context_.written_here.fetch_add(1, std::memory_order_relaxed);
            if (slot->parsed_ns != 0 && slot->written_ns != 0)
                context_.timings.record(static_cast<std::uint64_t>(slot->written_ns - slot->parsed_ns));
            if (context_.access_log != nullptr && !slot->log_request.empty())
                context_.access_log->write(peer_, slot->log_request, slot->written_status);
            close_after = (hang_up_ || read_closed_) && pending_.empty();
            writing_.push_back(std::move(slot));
            if (close_after) {
                pending_.clear();
                read_closed_ = true;
                break;
            }
            continue;
        }
        http::Response& r = slot->response;
        // The application read the body: uvicorn sent its 100 then.
        if (slot->continue_owed && slot->continue_reads_body) out_.append(http::continue_response);
        if (slot->verbatim) {
            // Its head lines and framing are its own (reject's 400): written
            // as they are, then the connection closes.
            http::ResponseFraming framing;
            framing.head_request = slot->head;
            framing.date = reactor_.date();
            framing.server = context_.config.server_header;
            if (http::write_head(out_, r, framing)) out_.append(r.body);
            writing_.push_back(std::move(slot));
            close_after = true;
            pending_.clear();
            read_closed_ = true;
            break;
        }
        const http::OwnFraming own = http::own_framing(r.headers);
        if (!http::final_status(r.status) || own.refused) {
            // Unanswered, as uvicorn leaves it: written, a 1xx head would be
            // read as an interim response, and the next response on the
            // connection as this request's answer; a transfer-encoding the
            // server does not apply would leave the body unframed; header
            // lines outside h11's grammar are not sent either.
            close_after = true;
            pending_.clear();
            read_closed_ = true;
            break;
        }
        const bool own_chunked = own.chunked && http::status_allows_body(r.status);
        if (own_chunked) drop_own_length(r);
        const bool chunk = own_chunked && slot->version_minor >= 1;
        http::ResponseFraming framing;
        framing.head_request = slot->head;
        close_after = connection_lines(
            r, own, r.close || (own_chunked && !chunk) || !slot->keep_alive || (read_closed_ && pending_.empty()),
            framing);
        // Hanging up (uvicorn closing after an application error): closes
        // without announcing it.
        if (r.hang_up || (hang_up_ && pending_.empty())) close_after = true;
        framing.chunked = chunk;
        framing.date = reactor_.date();
        framing.server = context_.config.server_header;
        if (http::write_head(out_, r, framing)) {
            if (chunk) append_chunk(out_, r.body);
            else if (r.body.size() <= coalesce_limit) out_.append(r.body);
            else bodies_.emplace_back(out_.size(), r.body);
        }
        if (chunk && !slot->head) out_.append("0\r\n\r\n");
        if (slot->parsed_ns != 0)
            context_.timings.record(static_cast<std::uint64_t>(steady_ns() - slot->parsed_ns));
        if (context_.access_log != nullptr && !slot->log_request.empty())
            context_.access_log->write(peer_, slot->log_request, r.status);
        writing_.push_back(std::move(slot));
        if (close_after) {
            // Requests pipelined behind a response that closes are never answered.
            pending_.clear();
            read_closed_ = true;
            break;
        }
    }
    if (!close_after && continue_due_ && pending_.empty()) {
        continue_due_ = false;
        if (!read_closed_ && parser_ && parser_->expects_continue()) {
            out_.append(http::continue_response);
            parser_->continue_sent();
        }
    }
    if (out_.empty()) return;

    in_write_ = true;
    close_after_write_ = close_after;
    set_deadline(write_deadline_, Clock::now() + context_.config.write_timeout);
    auto done = [self = shared_from_this()](std::error_code ec, std::size_t) { self->on_write(ec); };
    if (bodies_.empty()) {
        // The common case: one buffer, and no buffer sequence to copy.
        asio::async_write(socket_, asio::buffer(out_), std::move(done));
        return;
    }
    buffers_.clear();
    std::size_t from = 0;
    for (const auto& [at, body] : bodies_) {
        if (at > from) buffers_.emplace_back(out_.data() + from, at - from);
        buffers_.emplace_back(body.data(), body.size());
        from = at;
    }
    if (from < out_.size()) buffers_.emplace_back(out_.data() + from, out_.size() - from);
    asio::async_write(socket_, buffers_, std::move(done));
}

void Connection::on_write(std::error_code ec) {
    in_write_ = false;
    writing_.clear();
    if (out_.capacity() > out_capacity_limit) std::string().swap(out_);
    if (closed_) return;
    set_deadline(write_deadline_, Clock::time_point::max());
    if (ec) {
        close();
        return;
    }
    if (close_after_write_) {
        finish();
        return;
    }
    process(false);
    if (waiting_ && (ws_ || streaming())) release_write_buffers();
}

// Everything owed is written: close. Unless the peer already finished
// sending, shut down our side first and drain its input for a moment, so
// unread bytes (a refused body, pipelined requests) do not turn our close
// into a reset that destroys the response in flight.
void Connection::finish() {
    if (closed_ || lingering_) return;
    withdraw_lease(false);
    if (eof_) {
        close();
        return;
    }
    lingering_ = true;
    pending_.clear();
    stop_direct_writes();
    // Served in full: a lingering connection neither holds a place under
    // max_connections nor delays stop(), which closes it outright.
    uncount();
    std::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    read_wait_ = ReadWait::linger;
    set_deadline(read_deadline_, Clock::now() + linger_time);
    if (!reading_) {
        in_.discard();
        start_read();
    }
}

void Connection::stop_gracefully() {
    if (closed_) return;
    if (lingering_ || (pending_.empty() && !in_write_)) {
        close();
        return;
    }
    read_closed_ = true;
    withdraw_lease(false);  // its response says the connection closes
    update_read_deadline(false);
}

std::string Connection::still_serving() const {
    std::string out = peer_host_.empty() ? std::string("a connection") : peer_host_ + ":" + std::to_string(peer_port_);
    if (ws_) return out + ": a WebSocket";
    out += ": " + std::to_string(pending_.size()) + (pending_.size() == 1 ? " response" : " responses") + " owed";
    if (!pending_.empty()) {
        const Responder::Slot& first = *pending_.front();
        if (first.stream) out += first.head_written ? ": streaming a body" : ": a streamed body not started";
        else if (first.websocket) out += ": a WebSocket handshake the application has not answered";
        else if (!first.ready) out += ": waiting for the application";
        else out += ": writing";
    } else if (in_write_) {
        out += ": writing";
    }
    return out;
}

future<> Connection::served() {
    if (!counted_) return make_ready_future();
    served_.emplace();
    return served_->get_future();
}

void Connection::uncount() noexcept {
    if (!counted_) return;
    counted_ = false;
    context_.release();
    if (served_) {
        promise<> done = std::move(*served_);
        served_.reset();
        done.set_value();  // cannot fail: set once, here
    }
}

Connection::~Connection() {
    withdraw_lease(true);
    stop_direct_writes();
}

void Connection::stop_direct_writes() noexcept {
    if (!ws_) return;
    std::lock_guard lock(ws_->mutex);
    ws_->direct_fd = -1;
}

void Connection::close() noexcept {
    if (closed_) return;
    closed_ = true;
    withdraw_lease(true);
    stop_direct_writes();
    std::error_code ignored;
    socket_.close(ignored);
    read_deadline_.timer.cancel();
    write_deadline_.timer.cancel();
    if (hold_timer_) hold_timer_->cancel();
    pending_.clear();
    if (ws_) ws_->disconnect(ws::close_code::abnormal, {});  // no-op after a closing handshake
    uncount();
    reactor_.remove(this);  // may drop the last owner but one: callers hold a shared_ptr
}

// Chooses the read-side deadline for the current state (see the header's
// state list). The head deadline is fixed at the first byte of each head, so
// trickling bytes does not extend it; the body deadline moves with each read.
void Connection::update_read_deadline(bool bytes_arrived) {
    if (closed_ || lingering_ || ws_) return;
    const auto& config = context_.config;
    if (read_closed_ || eof_) {
        read_wait_ = ReadWait::none;
        set_deadline(read_deadline_, Clock::time_point::max());
    } else if (parser_->in_body()) {
        if (read_wait_ != ReadWait::body || bytes_arrived) {
            read_wait_ = ReadWait::body;
            set_deadline(read_deadline_, Clock::now() + config.body_timeout);
        }
    } else if (parser_->head_started()) {
        if (read_wait_ != ReadWait::head || head_of_request_ != requests_) {
            read_wait_ = ReadWait::head;
            head_of_request_ = requests_;
            set_deadline(read_deadline_, Clock::now() + config.head_timeout);
        }
    } else if (pending_.empty() && !in_write_) {
        if (read_wait_ != ReadWait::idle) {
            read_wait_ = ReadWait::idle;
            set_deadline(read_deadline_, Clock::now() + config.keepalive_timeout);
        }
    } else {
        // Waiting for the dispatcher: its Responder guarantees an answer.
        read_wait_ = ReadWait::none;
        set_deadline(read_deadline_, Clock::time_point::max());
    }
}

// One long-lived wait per deadline: moving a deadline later only stores the
// new time (the wait re-arms itself when it fires early), so a busy
// keep-alive connection does not cancel and re-queue a timer per request.
void Connection::set_deadline(Deadline& d, Clock::time_point at) {
    d.at = at;
    if (at == Clock::time_point::max()) return;
    if (d.armed && d.timer.expiry() <= at) return;
    d.timer.expires_at(at);
    d.armed = true;
    d.timer.async_wait([self = shared_from_this(), &d](std::error_code ec) { self->on_timer(d, ec); });
}

void Connection::on_timer(Deadline& d, std::error_code ec) {
    if (ec || closed_) return;  // superseded by an earlier deadline, or closed
    const Clock::time_point now = Clock::now();
    if (d.timer.expiry() > now) return;  // a newer wait is pending
    d.armed = false;
    if (d.at == Clock::time_point::max()) return;
    if (d.at > now) {
        set_deadline(d, d.at);
        return;
    }
    d.at = Clock::time_point::max();
    if (&d == &write_deadline_) {
        close();  // the client does not read
        return;
    }
    on_read_timeout();
}

void Connection::on_read_timeout() {
    if (ws_) {
        on_websocket_timeout();
        return;
    }
    const ReadWait wait = read_wait_;
    read_wait_ = ReadWait::none;
    switch (wait) {
    case ReadWait::head:
    case ReadWait::body:
        reject(408);
        settle();
        return;
    case ReadWait::idle:
    case ReadWait::linger:
        close();
        return;
    case ReadWait::none:
    case ReadWait::ws_idle:
    case ReadWait::ws_ping:
    case ReadWait::ws_closing:
        return;
    }
}

}  // namespace fasterapi::detail
