CREATE TABLE `detection_batches` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`agency_id` text NOT NULL,
	`detection_ids` text NOT NULL,
	`received_at` integer NOT NULL,
	`processed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `detection_batches_id_unique` ON `detection_batches` (`id`);--> statement-breakpoint
CREATE INDEX `detection_batches_pending_idx` ON `detection_batches` (`seq`) WHERE processed_at IS NULL;--> statement-breakpoint
DROP INDEX `detections_batch_idx`;--> statement-breakpoint
DROP INDEX `detections_alert_idx`;--> statement-breakpoint
ALTER TABLE `detections` ADD `processed_at` integer;--> statement-breakpoint
CREATE INDEX `detections_alert_idx` ON `detections` (`alert_id`) WHERE alert_id IS NOT NULL;