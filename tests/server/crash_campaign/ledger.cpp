#include "tests/server/crash_campaign/ledger.hpp"

namespace switchyard::campaign {

void Ledger::posted(const Webhook& w) {
    std::lock_guard lock(mutex_);
    if (webhooks_.size() <= static_cast<std::size_t>(w.index)) webhooks_.resize(static_cast<std::size_t>(w.index) + 1);
    webhooks_[static_cast<std::size_t>(w.index)] = w;
}

void Ledger::acknowledged(int webhook) {
    std::lock_guard lock(mutex_);
    acknowledged_.insert(webhook);
}

void Ledger::reply_acknowledged(Reply r) {
    std::lock_guard lock(mutex_);
    replies_acknowledged_.push_back(std::move(r));
}

void Ledger::reply_unanswered(Reply r) {
    std::lock_guard lock(mutex_);
    replies_unanswered_.push_back(std::move(r));
}

void Ledger::reply_refused(const std::string& why) {
    std::lock_guard lock(mutex_);
    ++replies_refused_[why];
}

}  // namespace switchyard::campaign
