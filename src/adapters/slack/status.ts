// Card status as Slack shows it: an emoji in the header (seen at a glance) and a word in the
// notification text (read by screen readers and in notifications, where emoji codes are noise).
import type { CardStatus } from '../../chat/model.ts';

export const STATUS_EMOJI: Record<CardStatus, string> = {
  info: ':information_source:',
  running: ':hourglass_flowing_sand:',
  ok: ':white_check_mark:',
  warning: ':warning:',
  problem: ':red_circle:',
  unknown: ':grey_question:',
  pending: ':raised_hand:',
  done: ':heavy_check_mark:',
  refused: ':no_entry:',
};

export { STATUS_LABEL } from '../../cards/status.ts';
