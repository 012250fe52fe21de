// Download links for the files of the store that cannot be sent as files (T5: too large, or of a
// type the messenger does not take): unguessable and expiring, and stateless, so nothing is
// stored per link. A link carries the blob, the file's name and an expiry time, and an
// HMAC-SHA256 of the three under a secret key only the server knows: changing any of them, or
// the key, breaks the signature.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::files {

class LinkSigner {
public:
    // `secret`: the key (random_secret() makes one). Throws std::invalid_argument when empty:
    // anyone could sign with an empty key.
    explicit LinkSigner(std::string secret);

    // The signature (64 lowercase hex digits) of a link valid until `expires_at_s` (seconds
    // since 1970, UTC).
    std::string sign(std::string_view blob, std::string_view name, std::int64_t expires_at_s) const;

    // True when `signature` is the one sign() gives for these and `now_s` is before
    // `expires_at_s`. The signatures are compared in constant time, so the time taken tells
    // nothing about how much of a forged one was right.
    bool verify(std::string_view blob, std::string_view name, std::int64_t expires_at_s, std::string_view signature,
                std::int64_t now_s) const;

private:
    std::string secret_;
};

// A new secret: 32 random bytes from the operating system's generator (RAND_bytes), as hex.
// Throws std::runtime_error when the generator fails.
std::string random_secret();

}  // namespace switchyard::files
