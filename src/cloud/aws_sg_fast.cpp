#include "cloud/aws_sg_fast.h"

#include <cstdint>

namespace pgreach::cloud {

namespace {

// Where in the document the next event lands.
enum class Ctx { Top, Groups, Group, Perms, Perm, Peers, Peer, Skip };
// The four peer lists of a permission, and the key each element must carry.
enum class PeerKind { V4, V6, PrefixList, GroupPair };

// The keys we read, numbered once per key event so that the rest compares integers.
// Order matters: group keys, then permission keys (valueIsUnknownKey() tests ranges).
enum Key : uint32_t {
  kOther,
  kSecurityGroups,
  kGroupId,
  kGroupName,
  kVpcId,
  kIpPermissions,
  kIpPermissionsEgress,
  kIpProtocol,
  kFromPort,
  kToPort,
  kIpRanges,
  kIpv6Ranges,
  kPrefixListIds,
  kUserIdGroupPairs,
  kCidrIp,
  kCidrIpv6,
  kPrefixListId
};

Key keyOf(const std::string& k) {
  static const std::pair<const char*, Key> kNames[] = {{"SecurityGroups", kSecurityGroups},
                                                       {"GroupId", kGroupId},
                                                       {"GroupName", kGroupName},
                                                       {"VpcId", kVpcId},
                                                       {"IpPermissions", kIpPermissions},
                                                       {"IpPermissionsEgress", kIpPermissionsEgress},
                                                       {"IpProtocol", kIpProtocol},
                                                       {"FromPort", kFromPort},
                                                       {"ToPort", kToPort},
                                                       {"IpRanges", kIpRanges},
                                                       {"Ipv6Ranges", kIpv6Ranges},
                                                       {"PrefixListIds", kPrefixListIds},
                                                       {"UserIdGroupPairs", kUserIdGroupPairs},
                                                       {"CidrIp", kCidrIp},
                                                       {"CidrIpv6", kCidrIpv6},
                                                       {"PrefixListId", kPrefixListId}};
  for (const auto& [name, key] : kNames) {
    if (k.size() == std::char_traits<char>::length(name) && k.compare(name) == 0) return key;
  }
  return kOther;
}

class SgHandler {
 public:
  std::vector<SecurityGroup> groups;
  bool sawGroups = false;

  bool null() { return scalar(Kind::Null); }
  bool boolean(bool) { return scalar(Kind::Other); }
  bool number_integer(Json::number_integer_t v) { return integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) {
    return v > static_cast<Json::number_unsigned_t>(INT64_MAX) ? false : integer(static_cast<long long>(v));
  }
  bool number_float(Json::number_float_t, const std::string&) { return scalar(Kind::Other); }
  bool binary(Json::binary_t&) { return false; }
  bool string(std::string& v) {
    str_ = &v;
    return scalar(Kind::String);
  }

  bool key(std::string& k) {
    if (stack_.back() == Ctx::Skip) return true;
    key_ = keyOf(k);
    // Another kind of export (NetworkAcls first): not ours, give up at once. Keys after
    // the groups (NextToken) are skipped.
    if (stack_.back() == Ctx::Top && key_ != kSecurityGroups && !sawGroups) return false;
    // A key twice in one object: the DOM keeps the last, we would keep both. Leave it
    // to the exact path.
    const uint32_t bit = key_ == kOther ? 0 : 1u << key_;
    if (seen_.back() & bit) return false;
    seen_.back() |= bit;
    return true;
  }

  bool start_object(std::size_t) {
    if (stack_.empty()) return push(Ctx::Top);
    switch (stack_.back()) {
      case Ctx::Skip:
        return ++skipDepth_, true;
      case Ctx::Groups:
        groups.emplace_back();
        return push(Ctx::Group);
      case Ctx::Perms:
        rule_ = SgRule{};
        rule_.index = permIndex_++;
        v6_.clear(), proto_.clear();
        hasFrom_ = hasTo_ = false;
        return push(Ctx::Perm);
      case Ctx::Peers:
        peerValue_.clear();
        hasPeer_ = false;
        return push(Ctx::Peer);
      default:
        return valueIsUnknownKey() && skip();
    }
  }

  bool start_array(std::size_t) {
    if (stack_.empty()) return false;
    switch (stack_.back()) {
      case Ctx::Skip:
        return ++skipDepth_, true;
      case Ctx::Top:
        if (key_ != kSecurityGroups) return skip();
        sawGroups = true;
        return push(Ctx::Groups);
      case Ctx::Group:
        if (key_ != kIpPermissions && key_ != kIpPermissionsEgress) return valueIsUnknownKey() && skip();
        egress_ = key_ == kIpPermissionsEgress;
        permIndex_ = 0;
        return push(Ctx::Perms);
      case Ctx::Perm:
        if (key_ == kIpRanges)
          peerKind_ = PeerKind::V4;
        else if (key_ == kIpv6Ranges)
          peerKind_ = PeerKind::V6;
        else if (key_ == kPrefixListIds)
          peerKind_ = PeerKind::PrefixList;
        else if (key_ == kUserIdGroupPairs)
          peerKind_ = PeerKind::GroupPair;
        else
          return valueIsUnknownKey() && skip();
        return push(Ctx::Peers);
      default:
        return valueIsUnknownKey() && skip();
    }
  }

  bool end_object() {
    switch (stack_.back()) {
      case Ctx::Skip:
        return unskip();
      case Ctx::Peer:
        return endPeer() && pop();
      case Ctx::Perm:
        return endPerm() && pop();
      case Ctx::Group:
        return !groups.back().id.empty() && pop();  // GroupId is required
      default:
        return pop();
    }
  }
  bool end_array() { return stack_.back() == Ctx::Skip ? unskip() : pop(); }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  enum class Kind { Null, String, Other };

  // A scalar value under key_ in the current object.
  bool scalar(Kind kind) {
    if (stack_.empty()) return false;  // a bare scalar document
    switch (stack_.back()) {
      case Ctx::Skip:
        return true;
      case Ctx::Top:
        return key_ != kSecurityGroups;  // not an array: the exact path says so
      case Ctx::Group:
        if (key_ == kGroupId) return kind == Kind::String && (groups.back().id = std::move(*str_), true);
        if (key_ == kGroupName)
          return kind == Kind::Null ||
                 (kind == Kind::String && (groups.back().name = std::move(*str_), true));
        if (key_ == kVpcId)
          return kind == Kind::Null ||
                 (kind == Kind::String && (groups.back().vpcId = std::move(*str_), true));
        if (key_ == kIpPermissions || key_ == kIpPermissionsEgress) return kind == Kind::Null;
        return true;
      case Ctx::Perm:
        if (key_ == kIpProtocol) return kind == Kind::String && (proto_ = std::move(*str_), !proto_.empty());
        if (key_ == kFromPort || key_ == kToPort) return kind == Kind::Null;
        if (key_ == kIpRanges || key_ == kIpv6Ranges || key_ == kPrefixListIds || key_ == kUserIdGroupPairs)
          return kind == Kind::Null;
        return true;
      case Ctx::Peer:
        if (key_ != peerKey()) return true;
        if (kind != Kind::String) return false;
        peerValue_ = std::move(*str_);
        hasPeer_ = true;
        return true;
      default:
        return false;  // a scalar where an object was due
    }
  }

  bool integer(long long v) {
    if (stack_.empty() || stack_.back() != Ctx::Perm || (key_ != kFromPort && key_ != kToPort))
      return scalar(Kind::Other);
    if (v < -1 || v > 65535) return false;
    (key_ == kFromPort ? from_ : to_) = static_cast<int>(v);
    (key_ == kFromPort ? hasFrom_ : hasTo_) = true;
    return true;
  }

  Key peerKey() const {
    switch (peerKind_) {
      case PeerKind::V4:
        return kCidrIp;
      case PeerKind::V6:
        return kCidrIpv6;
      case PeerKind::PrefixList:
        return kPrefixListId;
      case PeerKind::GroupPair:
        return kGroupId;
    }
    return kOther;
  }

  bool endPeer() {
    if (!hasPeer_) return false;  // the key is required
    switch (peerKind_) {
      case PeerKind::V4:
      case PeerKind::V6: {
        auto c = net::Cidr::parse(peerValue_);
        if (!c) return false;
        (peerKind_ == PeerKind::V4 ? rule_.cidrs : v6_).push_back(*c);
        return true;
      }
      case PeerKind::PrefixList:
        rule_.prefixLists.push_back(std::move(peerValue_));
        return true;
      case PeerKind::GroupPair:
        rule_.groupRefs.push_back(std::move(peerValue_));
        return true;
    }
    return false;
  }

  // As parsePermissions: ports only for tcp/udp, -1 meaning all, IPv4 ranges before IPv6.
  bool endPerm() {
    auto p = parseProtocol(proto_);
    if (!p) return false;
    rule_.protocol = *p;
    if (rule_.protocol == kProtoTcp || rule_.protocol == kProtoUdp) {
      rule_.ports.from = hasFrom_ ? from_ : 0;
      rule_.ports.to = hasTo_ ? to_ : 65535;
      if (rule_.ports.from == -1) rule_.ports = PortRange{};
      if (rule_.ports.from > rule_.ports.to) return false;
    }
    rule_.cidrs.insert(rule_.cidrs.end(), v6_.begin(), v6_.end());
    auto& into = egress_ ? groups.back().egress : groups.back().ingress;
    into.push_back(std::move(rule_));
    return true;
  }

  // A container under a key we do not read is skipped whole; under a key we do read
  // it is the wrong type.
  bool valueIsUnknownKey() const {
    switch (stack_.back()) {
      case Ctx::Top:
        return key_ != kSecurityGroups;
      case Ctx::Group:
        return key_ == kOther || key_ > kIpPermissionsEgress;
      case Ctx::Perm:
        return key_ == kOther || key_ < kIpProtocol || key_ > kUserIdGroupPairs;
      case Ctx::Peer:
        return key_ != peerKey();
      default:
        return false;
    }
  }

  bool push(Ctx c) {
    stack_.push_back(c);
    seen_.push_back(0);
    return true;
  }
  bool pop() {
    stack_.pop_back();
    seen_.pop_back();
    return true;
  }
  bool skip() {
    skipDepth_ = 1;
    return push(Ctx::Skip);
  }
  bool unskip() { return --skipDepth_ == 0 ? pop() : true; }

  std::vector<Ctx> stack_;
  std::vector<uint32_t> seen_;
  Key key_ = kOther;
  std::string* str_ = nullptr;
  int skipDepth_ = 0;
  bool egress_ = false;
  size_t permIndex_ = 0;
  SgRule rule_;
  std::vector<net::Cidr> v6_;
  std::string proto_;
  int from_ = 0, to_ = 65535;
  bool hasFrom_ = false, hasTo_ = false;
  PeerKind peerKind_ = PeerKind::V4;
  std::string peerValue_;
  bool hasPeer_ = false;
};

}  // namespace

bool parseSecurityGroupsFast(std::string_view text, std::vector<SecurityGroup>& out) {
  SgHandler h;
  if (!Json::sax_parse(text, &h) || !h.sawGroups) return false;
  if (out.empty()) {
    out = std::move(h.groups);
  } else {
    out.insert(out.end(), std::make_move_iterator(h.groups.begin()), std::make_move_iterator(h.groups.end()));
  }
  return true;
}

}  // namespace pgreach::cloud
