#pragma once
// Log inspection: the timeline as a picture. SvgTimeline is a Sink that keeps what the picture
// needs (state changes, failovers, split brains) and draws it as one standalone SVG document:
// a lane per node coloured by its VRRP state over time, failovers and split brains marked, a
// time axis in UTC. Pure: no I/O.

#include <string>
#include <vector>

#include "inspect/timeline.hpp"

namespace redkeep::inspect {

/// Collects what the picture of the timeline needs (it is a Sink: pass it to the Analyzer
/// alongside the text/JSON report through a small fan-out, or alone) and draws it as SVG.
///
/// The picture, about 1000 px wide:
/// - a title line with the time range (UTC), its length as the text report writes durations
///   ("0.612 s", "5 min 3.200 s", "1 h 2 min 3.000 s"), and the numbers of failovers (with
///   " (N unlabeled)" when some labels are left out, see below) and split brains;
/// - a legend;
/// - one lane (28 px) per node, in Summary::nodes order (nodes seen only in state changes
///   follow, in order of appearance); when the input has more than one instance, one lane per
///   node and instance, labelled "node / instance". A lane is coloured by the node's state:
///   MASTER #2e7d32, BACKUP #1565c0, FAULT #ef6c00, INIT #9e9e9e, STOPPED #e0e0e0 (with the
///   word "stopped"); before the node's first state change, and for a state it does not know,
///   the lane is white, outlined (unknown). A state change with no instance applies to all
///   the node's lanes;
/// - each failover as a red band across all lanes from its start to the new master's entry,
///   labelled "failover OLD→NEW 0.61 s" (U+2192 RIGHTWARDS ARROW in UTF-8, "?" for an unknown
///   node, the seconds from the start to the new master's entry with 2 decimals, and
///   " (instance)" when there are several instances; names shortened as lane labels are). The
///   labels go on up to 3 rows above the lanes, each on the first row where it overlaps no
///   other label (estimated at 6.5 px a character), its dashed leader line down to the band
///   crosses no label below it, and no leader line from above crosses it; a label with no such
///   row is left out (the band is still drawn, its <title> holds the label) and counted in the
///   title. Labels stay inside the picture (end-anchored near the right edge);
/// - each split brain as a hatched, red-outlined band on the lanes of the nodes involved (of
///   its instance), labelled "split brain";
/// - a time axis with about 6 to 10 ticks labelled HH:MM:SS UTC (HH:MM:SS.mmm when the whole
///   span is under 10 s; "MM-DD HH:MM" when it is over a day, YYYY-MM-DD for ticks a day or
///   more apart).
/// Times outside [Summary::first, Summary::last] are drawn at the nearest end. Text from the
/// logs (node and instance names) is escaped for XML; invalid UTF-8 and characters XML does
/// not allow become U+FFFD; in labels, so do characters that would break the line or change
/// its layout (controls such as tab, newline and U+0085 NEXT LINE, U+2028 LINE SEPARATOR,
/// U+2029 PARAGRAPH SEPARATOR, bidirectional controls, invisible format characters such as
/// U+FEFF; ZWNJ and ZWJ stay). Lane labels, and each name in a failover label, are shortened
/// to 20 code points with "…" (the whole text is the lane's or the failover's <title>).
///
/// Memory: proportional to the number of state changes, failovers and split brains taken.
class SvgTimeline : public Sink {
 public:
  /// Keeps when, which node and instance, and the state entered.
  void state_change(const StateChange& change) override;
  /// Keeps the instance, the old and new master, the start and the new master's entry.
  void failover(const Failover& failover) override;
  /// Keeps the instance, the nodes and the time range.
  void split_brain(const SplitBrain& split) override;

  /// The SVG document (UTF-8, standalone, no scripts, no external resources): an XML
  /// declaration, then the <svg> element, ending in "</svg>\n". With no time range in
  /// `summary` (empty input), or one instant (first == last), a small picture saying
  /// "no events". Never throws other than std::bad_alloc.
  std::string render(const Summary& summary) const;

 private:
  struct Change {
    Millis ts = 0;
    std::string node, instance, to;
  };
  struct FailoverMark {
    std::string instance, old_master, new_master;
    Millis start = 0, new_master_at = 0;
  };
  struct SplitMark {
    std::string instance;
    std::vector<std::string> nodes;
    Millis from = 0, to = 0;
  };

  std::vector<Change> changes_;
  std::vector<FailoverMark> failovers_;
  std::vector<SplitMark> splits_;
};

}  // namespace redkeep::inspect
