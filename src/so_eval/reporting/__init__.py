"""What every report is built from: the figures ledger (:mod:`~so_eval.reporting.ledger`), display
blocks and tables (:mod:`~so_eval.reporting.blocks`) and provenance -- data fingerprint, code and
package versions (:mod:`~so_eval.reporting.provenance`)."""
