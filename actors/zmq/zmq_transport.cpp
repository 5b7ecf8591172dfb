#include "actors/zmq/zmq_transport.hpp"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <zmq.hpp>

#include "protocol/bus_limits.hpp"

namespace datdot {
namespace {

constexpr const char* zap_endpoint = "inproc://zeromq.zap.01";
constexpr const char* zap_domain = "datdot";

void set_key(zmq::socket_t& s, int option, const std::array<byte, 32>& key) {
  zmq_setsockopt(s.handle(), option, key.data(), key.size());
}

void set_common_options(zmq::socket_t& s) {
  s.set(zmq::sockopt::sndhwm, bus_limits::zmq_send_hwm_messages);
  s.set(zmq::sockopt::rcvhwm, bus_limits::zmq_recv_hwm_messages);
  s.set(zmq::sockopt::linger, bus_limits::zmq_linger_ms);
  s.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(bus_limits::zmq_message_bytes_max));
  s.set(zmq::sockopt::handshake_ivl, bus_limits::handshake_timeout_ms);
}

// Hands a frame to ZeroMQ without copying it: the message owns the vector and
// frees it when ZeroMQ is done (after CURVE has encrypted it).
zmq::message_t take_ownership(bytes frame) {
  auto* owned = new bytes(std::move(frame));
  return zmq::message_t{owned->data(), owned->size(), [](void*, void* hint) { delete static_cast<bytes*>(hint); },
                        owned};
}

std::uint64_t steady_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

struct zmq_transport::io_state {
  struct dealer {
    zmq::socket_t socket;
    curve_public_key server;
    zmq::socket_t monitor;  // PAIR receiving the socket's connection events
  };
  std::uint64_t next_monitor = 0;
  zmq::context_t context{1};
  zmq::socket_t router{context, zmq::socket_type::router};
  zmq::socket_t zap{context, zmq::socket_type::rep};
  std::map<node_id, dealer> dealers;
  std::map<curve_public_key, std::string> routing_ids;  // latest connection per authenticated key
  std::map<curve_public_key, std::vector<int>> fds;     // connections seen per key, closed on a ban
  std::map<curve_public_key, std::uint64_t> banned_until_ms;
  curve_key_pair curve;

  bool banned(const curve_public_key& k) const {
    auto i = banned_until_ms.find(k);
    return i != banned_until_ms.end() && steady_ms() < i->second;
  }
};

zmq_transport::zmq_transport(zmq_transport_config config)
    : config_(std::move(config)), io_(std::make_unique<io_state>()) {}

result<std::shared_ptr<zmq_transport>> zmq_transport::bind(zmq_transport_config config) {
  auto curve = to_curve(config.identity);
  if (!curve) return curve.err();
  std::shared_ptr<zmq_transport> t{new zmq_transport(std::move(config))};
  auto& io = *t->io_;
  io.curve = *curve;
  try {
    io.zap.bind(zap_endpoint);  // must exist before any CURVE server socket handshakes
    set_common_options(io.router);
    io.router.set(zmq::sockopt::curve_server, 1);
    set_key(io.router, ZMQ_CURVE_SECRETKEY, io.curve.sk);
    io.router.set(zmq::sockopt::zap_domain, zap_domain);
    io.router.set(zmq::sockopt::router_mandatory, 1);
    io.router.set(zmq::sockopt::router_handover, 1);
    io.router.bind(t->config_.listen_endpoint);
    t->endpoint_ = io.router.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return make_error(errc::io_error, "cannot listen on " + t->config_.listen_endpoint + ": " + e.what());
  }
  t->wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (t->wake_fd_ < 0) return make_error(errc::io_error, "eventfd failed");
  return t;
}

zmq_transport::~zmq_transport() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void zmq_transport::attach(bus_actor bus) {
  thread_ = std::thread([this, bus = std::move(bus)] { run(bus); });
}

void zmq_transport::stop() {
  stopping_ = true;
  std::uint64_t one = 1;
  if (wake_fd_ >= 0) (void)::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

send_status zmq_transport::enqueue(command c, std::size_t frame_bytes, bool bounded) {
  bool was_empty;
  {
    std::lock_guard lock{mutex_};
    if (bounded && (commands_.size() >= bus_limits::io_outbound_queue_max ||
                    outbound_bytes_ + frame_bytes > bus_limits::io_outbound_queue_bytes_max))
      return send_status::queue_full;
    was_empty = commands_.empty();
    commands_.push_back(std::move(c));
    outbound_bytes_ += frame_bytes;
  }
  if (was_empty) {
    std::uint64_t one = 1;
    (void)::write(wake_fd_, &one, sizeof one);
  }
  return send_status::queued;
}

void zmq_transport::connect(const peer_info& peer) { (void)enqueue(connect_command{peer}, 0, false); }

send_status zmq_transport::send(const node_id& to, bytes frame) {
  auto size = frame.size();
  return enqueue(send_command{to, std::move(frame)}, size, true);
}

send_status zmq_transport::reply(const curve_public_key& connection, bytes frame) {
  auto size = frame.size();
  return enqueue(reply_command{connection, std::move(frame)}, size, true);
}

void zmq_transport::ban(const curve_public_key& peer, std::chrono::milliseconds duration) {
  (void)enqueue(ban_command{peer, duration}, 0, false);
}

transport_counters zmq_transport::counters() const {
  return transport_counters{dropped_hwm_.load(),        refused_handshakes_.load(), 0, connects_.load(),
                            disconnects_.load(),        reconnect_attempts_.load(),
                            reconnect_backoff_ms_last_.load()};
}

namespace {

// ZAP (RFC 27): accept any CURVE client that is not banned and name it by its
// key; the key then arrives with each of its messages as "User-Id".
void answer_zap(zmq::socket_t& zap, const std::map<curve_public_key, std::uint64_t>& bans,
                std::atomic<std::uint64_t>& refused) {
  std::vector<zmq::message_t> request;
  while (true) {
    zmq::message_t part;
    if (!zap.recv(part, zmq::recv_flags::dontwait)) break;
    bool more = part.more();
    request.push_back(std::move(part));
    if (!more) break;
  }
  if (request.size() < 2) return;
  std::string status = "400", text = "bad request", user;
  if (request.size() >= 7 && request[5].to_string_view() == "CURVE" && request[6].size() == 32) {
    curve_public_key key;
    std::memcpy(key.key.data(), request[6].data(), 32);
    auto ban = bans.find(key);
    if (ban != bans.end() && steady_ms() < ban->second) {
      text = "banned";
      refused.fetch_add(1, std::memory_order_relaxed);
    } else {
      status = "200";
      text = "OK";
      user = to_hex(byte_view{key.key});
    }
  }
  zap.send(zmq::str_buffer("1.0"), zmq::send_flags::sndmore);
  zap.send(request[1], zmq::send_flags::sndmore);
  zap.send(zmq::buffer(status), zmq::send_flags::sndmore);
  zap.send(zmq::buffer(text), zmq::send_flags::sndmore);
  zap.send(zmq::buffer(user), zmq::send_flags::sndmore);
  zap.send(zmq::str_buffer(""), zmq::send_flags::none);
}

}  // namespace

void zmq_transport::run(bus_actor bus) {
  auto& io = *io_;
  auto log = [this](const std::string& line) {
    if (config_.log) config_.log(line);
  };
  // The received message itself travels to the bus: no copy of the frame.
  auto forward = [&](const curve_public_key& from, zmq::message_t& frame) {
    inbound_in_flight_.fetch_add(1, std::memory_order_relaxed);
    inbound_bytes_in_flight_.fetch_add(frame.size(), std::memory_order_relaxed);
    auto owner = std::make_shared<zmq::message_t>(std::move(frame));
    byte_view view{static_cast<const byte*>(owner->data()), owner->size()};
    caf::anon_send(bus, bus_frame_atom_v, from, frame_buffer{std::move(owner), view});
  };
  auto room = [&] {
    return inbound_in_flight_.load(std::memory_order_relaxed) < bus_limits::inbound_frames_in_flight_max &&
           inbound_bytes_in_flight_.load(std::memory_order_relaxed) < bus_limits::inbound_bytes_in_flight_max;
  };

  auto read_router = [&] {
    for (std::size_t n = 0; n < bus_limits::io_inbound_batch_max && room(); ++n) {
      zmq::message_t rid, frame;
      if (!io.router.recv(rid, zmq::recv_flags::dontwait)) return;
      if (!rid.more()) continue;
      (void)io.router.recv(frame);
      if (frame.more()) {  // a bus frame is one part: drain and drop anything else
        for (bool more = true; more;) {
          zmq::message_t extra;
          (void)io.router.recv(extra);
          more = extra.more();
        }
        continue;
      }
      auto user = from_hex_fixed<32>(frame.gets("User-Id"));
      if (!user) continue;  // cannot happen with ZAP on; refuse anything unnamed
      curve_public_key from{*user};
      if (io.banned(from)) continue;
      io.routing_ids[from] = rid.to_string();
      auto& fds = io.fds[from];
      int fd = frame.get(ZMQ_SRCFD);
      if (fd >= 0 && std::find(fds.begin(), fds.end(), fd) == fds.end()) fds.push_back(fd);
      forward(from, frame);
    }
  };
  auto read_dealer = [&](io_state::dealer& d) {
    for (std::size_t n = 0; n < bus_limits::io_inbound_batch_max && room(); ++n) {
      zmq::message_t frame;
      if (!d.socket.recv(frame, zmq::recv_flags::dontwait)) return;
      if (io.banned(d.server)) continue;
      forward(d.server, frame);
    }
  };
  // Monitor events: a 6-byte part (uint16 event, uint32 value), then the endpoint.
  auto read_monitor = [&](io_state::dealer& d) {
    for (zmq::message_t head, endpoint; d.monitor.recv(head, zmq::recv_flags::dontwait);) {
      if (head.more()) (void)d.monitor.recv(endpoint);
      if (head.size() < 6) continue;
      std::uint16_t event;
      std::uint32_t value;
      std::memcpy(&event, head.data(), 2);
      std::memcpy(&value, static_cast<const char*>(head.data()) + 2, 4);
      if (event == ZMQ_EVENT_CONNECTED) connects_.fetch_add(1, std::memory_order_relaxed);
      if (event == ZMQ_EVENT_DISCONNECTED) disconnects_.fetch_add(1, std::memory_order_relaxed);
      if (event == ZMQ_EVENT_CONNECT_RETRIED) {  // value: the wait before the next attempt, in ms
        reconnect_attempts_.fetch_add(1, std::memory_order_relaxed);
        reconnect_backoff_ms_last_.store(value, std::memory_order_relaxed);
      }
    }
  };
  auto open_dealer = [&](const peer_info& peer) {
    if (io.dealers.contains(peer.id) || peer.endpoint.rfind("tcp://", 0) != 0) return;
    auto server = to_curve_public(peer.id.key);
    if (!server) return;
    io_state::dealer d{zmq::socket_t{io.context, zmq::socket_type::dealer}, curve_public_key{*server},
                       zmq::socket_t{io.context, zmq::socket_type::pair}};
    auto monitor = "inproc://datdot.monitor." + std::to_string(io.next_monitor++);
    zmq_socket_monitor(d.socket.handle(), monitor.c_str(),
                       ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED);
    d.monitor.connect(monitor);
    set_common_options(d.socket);
    set_key(d.socket, ZMQ_CURVE_SERVERKEY, d.server.key);
    set_key(d.socket, ZMQ_CURVE_PUBLICKEY, io.curve.pk);
    set_key(d.socket, ZMQ_CURVE_SECRETKEY, io.curve.sk);
    d.socket.set(zmq::sockopt::reconnect_ivl, bus_limits::reconnect_backoff_ms_min);
    d.socket.set(zmq::sockopt::reconnect_ivl_max, bus_limits::reconnect_backoff_ms_max);
    try {
      d.socket.connect(peer.endpoint);
    } catch (const zmq::error_t& e) {
      log("bus: cannot connect to " + peer.endpoint + ": " + e.what());
      return;
    }
    io.dealers.emplace(peer.id, std::move(d));
  };
  auto send_on = [&](zmq::socket_t& s, bytes& frame, const std::string* rid) {
    try {
      if (rid && !s.send(zmq::buffer(*rid), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
        dropped_hwm_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      if (!s.send(take_ownership(std::move(frame)), zmq::send_flags::dontwait))
        dropped_hwm_.fetch_add(1, std::memory_order_relaxed);
    } catch (const zmq::error_t&) {  // EHOSTUNREACH: the connection is gone
      dropped_hwm_.fetch_add(1, std::memory_order_relaxed);
    }
  };
  auto execute = [&](command& c) {
    if (auto* x = std::get_if<connect_command>(&c)) return open_dealer(x->peer);
    if (auto* x = std::get_if<send_command>(&c)) {
      auto d = io.dealers.find(x->to);
      if (d != io.dealers.end()) send_on(d->second.socket, x->frame, nullptr);
      return;
    }
    if (auto* x = std::get_if<reply_command>(&c)) {
      auto rid = io.routing_ids.find(x->to);
      if (rid != io.routing_ids.end()) {
        send_on(io.router, x->frame, &rid->second);
      } else {  // the request came over our own dealer to that peer
        for (auto& [id, d] : io.dealers)
          if (d.server == x->to) return send_on(d.socket, x->frame, nullptr);
      }
      return;
    }
    auto& b = std::get<ban_command>(c);
    io.banned_until_ms[b.peer] = steady_ms() + static_cast<std::uint64_t>(b.duration.count());
    for (int fd : io.fds[b.peer]) ::shutdown(fd, SHUT_RDWR);  // ZeroMQ sees the peer disconnect
    io.fds.erase(b.peer);
    io.routing_ids.erase(b.peer);
  };

  std::deque<command> batch;
  while (!stopping_) {
    std::vector<zmq::pollitem_t> items{
        {io.router.handle(), 0, static_cast<short>(room() ? ZMQ_POLLIN : 0), 0},
        {io.zap.handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, wake_fd_, ZMQ_POLLIN, 0}};
    std::vector<io_state::dealer*> order;
    for (auto& [id, d] : io.dealers) {
      items.push_back({d.socket.handle(), 0, static_cast<short>(room() ? ZMQ_POLLIN : 0), 0});
      items.push_back({d.monitor.handle(), 0, ZMQ_POLLIN, 0});
      order.push_back(&d);
    }
    // While the bus is saturated nothing is read; poll briefly to notice when it drains.
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds{room() ? 100 : 1});
    if (items[2].revents & ZMQ_POLLIN) {
      std::uint64_t count;
      (void)::read(wake_fd_, &count, sizeof count);
    }
    {
      std::lock_guard lock{mutex_};
      batch.swap(commands_);
      outbound_bytes_ = 0;
    }
    for (auto& c : batch) execute(c);
    batch.clear();
    if (items[1].revents & ZMQ_POLLIN) answer_zap(io.zap, io.banned_until_ms, refused_handshakes_);
    if (items[0].revents & ZMQ_POLLIN) read_router();
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (items[3 + 2 * i].revents & ZMQ_POLLIN) read_dealer(*order[i]);
      if (items[4 + 2 * i].revents & ZMQ_POLLIN) read_monitor(*order[i]);
    }
  }
  for (auto& [id, d] : io.dealers) zmq_socket_monitor(d.socket.handle(), nullptr, 0);
  io.dealers.clear();
  io.router.close();
  io.zap.close();
}

}  // namespace datdot
