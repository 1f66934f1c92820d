#pragma once
// Log inspection: the cluster's story from the merged lines of its nodes. The Analyzer reads
// lines in time order and hands each entry of the timeline to a Sink as soon as it is decided
// (state changes, masters' spans, failovers, data-safety decisions, clock contradictions, split
// brains), so memory depends on the number of nodes and instances, not on the log's length.
// Pure: no I/O.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "inspect/log_line.hpp"

namespace redkeep::inspect {

/// A node's VRRP state changed ("Entering MASTER state (...)").
struct StateChange {
  Millis ts = 0;
  std::string node, instance;
  std::string from;  ///< the state before, as this log knows it ("" when unknown)
  std::string to;    ///< MASTER, BACKUP, FAULT, INIT, or STOPPED (the daemon stopped)
  std::string cause;
  std::string priority;  ///< advertised priority, "" when the line did not say
};

/// One node was Master of an instance from `from` to `to`.
struct MasterSpan {
  std::string instance, node;
  Millis from = 0, to = 0;
  /// The end is not in the log (the node went silent: killed, or its log was cut) and is
  /// taken as the moment the next master took over, or the end of the input.
  bool end_presumed = false;
  bool open = false;  ///< still Master at the end of the input
};

/// One step of a failover: when, on which node, what.
struct Step {
  Millis ts = 0;
  std::string node, what;
};

/// Master moved from one node to another: from the first sign of trouble to the new master
/// serving (VIP added, Redis promoted), and what became of the old master.
struct Failover {
  std::string instance, old_master, new_master;
  Millis start = 0;          ///< the first sign of trouble (or the new master's entry)
  std::string first_sign;    ///< what it was ("Redis health check failed", ...)
  Millis new_master_at = 0;  ///< the new master entered MASTER
  std::string cause;         ///< the new master's cause
  std::optional<Millis> vip_at, promoted_at, old_demoted_at;
  std::string old_fate;  ///< "demoted: replica of ...; ...", "restarted", "" unknown
  std::optional<std::int64_t> discarded_bytes;  ///< replication stream the old master lost
  std::vector<Step> steps;                      ///< in time order, the first sign first
  bool clock_noted = false;                     ///< a clock contradiction was reported for it
};

/// A line telling what the daemon decided for the data's sake (not eligible and why, refused
/// re-sync, restarted Redis, cold-start waits, held takeover, ...).
struct Decision {
  Millis ts = 0;
  std::string node, instance, event, text;
};

/// Two nodes were Master of one instance at once for longer than a handover takes.
struct SplitBrain {
  std::string instance;
  std::vector<std::string> nodes;
  Millis from = 0, to = 0;
};

/// Lines that contradict the order of events: the clocks of two nodes differ.
struct ClockNote {
  Millis ts = 0;
  std::string text;
};

/// Repeated lines of one kind on one node, summarized (rejected adverts by reason, health
/// flaps, actor restarts by actor).
struct Noise {
  std::string node, instance;
  std::string event;         ///< advert_rejected, health, actor_restart, ...
  std::string key;           ///< the reason, the actor ("" when none)
  std::uint64_t lines = 0;   ///< log lines
  std::uint64_t count = 0;   ///< occurrences (a rate-limited line stands for more)
  std::uint64_t bursts = 0;  ///< runs separated by more than kBurstGap
  Millis first = 0, last = 0;
};

/// The whole input's figures.
struct Summary {
  std::vector<std::string> nodes;
  std::optional<Millis> first, last;  ///< the first and the last timed line taken in
  std::uint64_t lines = 0;            ///< lines read
  std::uint64_t events = 0;           ///< redkeep's lines taken in
  std::uint64_t redis_lines = 0;      ///< Redis's own lines (skipped)
  std::uint64_t not_understood = 0;   ///< anything else (skipped)
  /// Times a node's clock stepped back (a line stamped earlier than the one before it): its
  /// lines are kept in their order.
  std::uint64_t stepped_back = 0;
  std::uint64_t failovers = 0;
  std::uint64_t split_brains = 0;
  Millis split_brain_ms = 0;  ///< time with two masters at once, in all
  /// The longest time an instance had no master once it had had one, and when.
  Millis longest_without_master = 0;
  std::optional<Millis> without_master_from;
  std::string without_master_instance;
  std::vector<Noise> noise;
  std::vector<MasterSpan> open_masters;  ///< who is master at the end of the input
};

/// Receives the timeline's entries as soon as each is decided, roughly in time order (a
/// failover comes when it is complete, after the state changes it contains).
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void state_change(const StateChange&) {}
  virtual void master_span(const MasterSpan&) {}
  virtual void failover(const Failover&) {}
  virtual void decision(const Decision&) {}
  virtual void split_brain(const SplitBrain&) {}
  virtual void clock_note(const ClockNote&) {}
};

/// Lines of one kind closer together than this make one burst (more than the 10 s between two
/// reports of a rate-limited line), milliseconds.
constexpr Millis kBurstGap = 15'000;
/// Two masters at once for at most this long is a handover (the old one yields on the new
/// one's first advert), not a split brain, milliseconds.
constexpr Millis kHandover = 1'000;
/// A failover block waits this long after the new master's entry for the VIP, the promotion
/// and the old master's fate, milliseconds.
constexpr Millis kFailoverWait = 30'000;
/// At most this many kinds of noise are told apart; further ones are counted together (node
/// "*", key "(more)"), so input-chosen reasons cannot use memory without bound.
constexpr std::size_t kMaxNoise = 4096;
/// Lines of two nodes closer than this are not taken as contradicting each other's order
/// (a line is written just before or after the packet it speaks of), milliseconds.
constexpr Millis kClockSlack = 50;
/// A sign of trouble older than this when master moves is not its cause, milliseconds.
constexpr Millis kSignMaxAge = 60'000;

/// Reads merged lines in time order and tells the sink the story.
class Analyzer {
 public:
  explicit Analyzer(Sink& sink) : sink_(sink) {}

  /// Takes one line (after merging). Lines of kind redis/other are only counted.
  void add(const LogLine& line);
  /// A line that was read but not merged (Redis's own, not understood): counted.
  void count_skipped(LineKind kind);
  /// End of input: open failovers and spans are handed to the sink; returns the figures.
  Summary finish(std::uint64_t stepped_back);

 private:
  struct NodeState {
    std::string state;  // "" until known
    Millis last_line = 0;
    // When its switchover's priority 254 ended: the drop logged with it is no sign of a fault.
    std::optional<Millis> boost_ended;
  };
  struct PendingSign {
    Millis ts = 0;
    std::string node, what;
  };
  struct OpenMaster {
    Millis from = 0;
    std::optional<Millis> superseded_at;  // another node entered MASTER meanwhile
    std::string superseded_by;
  };
  struct InstanceState {
    std::map<std::string, NodeState> nodes;
    std::map<std::string, OpenMaster> masters;  // by node
    std::string last_master;                    // the node that was master last
    std::optional<PendingSign> sign;
    std::optional<Failover> failover;       // open failover block
    std::optional<Millis> no_master_since;  // set once a master has been lost
  };

  void on_instance_line(const std::string& instance, InstanceState& st, const LogLine& line,
                        Millis ts);
  void on_state_change(const std::string& instance, InstanceState& st, const LogLine& line,
                       Millis ts);
  void enter_master(InstanceState& st, const std::string& instance, const std::string& node,
                    Millis ts, const std::string& cause);
  void leave_master(InstanceState& st, const std::string& instance, const std::string& node,
                    Millis ts, bool presumed);
  void note_sign(InstanceState& st, Millis ts, const std::string& node, const std::string& what);
  void failover_step(InstanceState& st, const LogLine& line, Millis ts);
  void close_failover(InstanceState& st);
  void noise(const LogLine& line, Millis ts, const std::string& key, std::uint64_t count);
  void decide(const LogLine& line, Millis ts);

  Sink& sink_;
  std::map<std::string, InstanceState> instances_;
  std::set<std::string> known_nodes_;  // summary_.nodes, for lookup
  std::set<std::string> clock_noted_;  // nodes whose clock stepping back was noted
  std::size_t open_failovers_ = 0;     // instances with a failover block open
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Noise> noise_;
  Summary summary_;
};

}  // namespace redkeep::inspect
