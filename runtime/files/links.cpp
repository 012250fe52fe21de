// Signed download links: HMAC-SHA256 over the link's parts.
#include "runtime/files/links.hpp"

#include "runtime/files/hex.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace switchyard::files {

namespace {

constexpr std::size_t signature_length = 64;  // hex digits of an HMAC-SHA256

// The signed text: each part preceded by its length, so that no two different links sign the
// same text (a name ending in digits cannot pass for part of the expiry).
std::string message(std::string_view blob, std::string_view name, std::int64_t expires_at_s) {
    std::string text;
    for (std::string_view part : {blob, name}) {
        text += std::to_string(part.size());
        text += ':';
        text += part;
    }
    text += std::to_string(expires_at_s);
    return text;
}

}  // namespace

LinkSigner::LinkSigner(std::string secret) : secret_(std::move(secret)) {
    if (secret_.empty()) throw std::invalid_argument("a link signer needs a secret: an empty one lets anyone sign links");
}

std::string LinkSigner::sign(std::string_view blob, std::string_view name, std::int64_t expires_at_s) const {
    auto text = message(blob, name, expires_at_s);
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()), reinterpret_cast<const unsigned char*>(text.data()),
              text.size(), mac.data(), &length))
        throw std::runtime_error("HMAC-SHA256 failed");
    return to_hex({reinterpret_cast<const char*>(mac.data()), length});
}

bool LinkSigner::verify(std::string_view blob, std::string_view name, std::int64_t expires_at_s, std::string_view signature,
                        std::int64_t now_s) const {
    if (now_s >= expires_at_s || signature.size() != signature_length) return false;
    auto expected = sign(blob, name, expires_at_s);
    return CRYPTO_memcmp(expected.data(), signature.data(), signature_length) == 0;
}

std::string random_secret() {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("the random number generator failed: no secret could be made");
    return to_hex({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

}  // namespace switchyard::files
