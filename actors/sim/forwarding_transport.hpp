// A transport around another that passes everything through: what a wrapper
// that changes only some of a node's frames (an adversary's lies, a test's
// losses) derives from. Gossip is not forwarded as shared frames: it goes
// through send, one copy per peer, so a wrapper that overrides send sees it.
#pragma once

#include <memory>

#include "actors/bus_transport.hpp"

namespace datdot {

class forwarding_transport : public bus_transport {
 public:
  explicit forwarding_transport(std::shared_ptr<bus_transport> inner) : inner_(std::move(inner)) {}
  void connect(const peer_info& peer) override { inner_->connect(peer); }
  send_status send(const node_id& to, bytes frame) override { return inner_->send(to, std::move(frame)); }
  send_status reply(const curve_public_key& connection, bytes frame) override {
    return inner_->reply(connection, std::move(frame));
  }
  void ban(const curve_public_key& peer, std::chrono::milliseconds duration) override { inner_->ban(peer, duration); }
  transport_counters counters() const override { return inner_->counters(); }
  void frame_consumed(std::size_t size) override { inner_->frame_consumed(size); }
  std::optional<node_id> identity_of(const curve_public_key& curve) const override {
    return inner_->identity_of(curve);
  }

 protected:
  bus_transport& inner() { return *inner_; }

 private:
  std::shared_ptr<bus_transport> inner_;
};

}  // namespace datdot
