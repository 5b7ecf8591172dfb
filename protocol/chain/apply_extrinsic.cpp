#include "protocol/chain/apply_extrinsic.hpp"

#include "protocol/chain/call_handlers.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/signing_domain.hpp"

namespace datdot {

chain_status apply_extrinsic(chain_state& s, const extrinsic& x, std::vector<chain_event>& events) {
  const auto payload = signed_payload(x);
  if (payload.size() + x.sig.size() > extrinsic_bytes_max_of(x.body))
    return chain_fail(chain_errc::oversize, std::to_string(payload.size() + x.sig.size()) + " bytes");
  if (!verify(signing_message(signing_domain::extrinsic, s.chain, payload), x.sig, x.signer.key))
    return chain_fail(chain_errc::bad_signature, "extrinsic signature");

  // A first registration opens the account; everything else needs one.
  const auto it = s.accounts.find(x.signer);
  const bool opens_account = it == s.accounts.end() && std::holds_alternative<register_node>(x.body);
  if (it == s.accounts.end() && !opens_account)
    return chain_fail(chain_errc::unknown_account, "signer has no account");
  const std::uint64_t expected = opens_account ? 0 : it->second.nonce;
  if (x.nonce != expected)
    return chain_fail(chain_errc::wrong_nonce,
                      "expected nonce " + std::to_string(expected) + ", got " + std::to_string(x.nonce));

  if (opens_account) s.accounts.emplace(x.signer, account_record{});
  call_context context{s, x.signer, events};
  auto applied = std::visit([&](const auto& c) { return apply_call(context, c); }, x.body);
  if (!applied) {
    if (opens_account) s.accounts.erase(x.signer);
    return applied.err();
  }
  ++s.accounts.at(x.signer).nonce;
  return chain_ok();
}

}  // namespace datdot
