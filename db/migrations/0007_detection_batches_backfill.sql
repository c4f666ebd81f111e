-- Custom SQL migration file, put your code below! --
-- Batches ingested before detection_batches existed were processed synchronously: list each
-- one (its detections in their order of insertion) as processed, so GET on its id answers.
INSERT INTO `detection_batches` (`id`, `agency_id`, `detection_ids`, `received_at`, `processed_at`)
SELECT `batch_id`, `agency_id`, json_group_array(`id`), min(`received_at`), min(`received_at`)
FROM (SELECT `rowid` AS `r`, `batch_id`, `agency_id`, `id`, `received_at` FROM `detections` ORDER BY `rowid`)
GROUP BY `batch_id`
ORDER BY min(`r`);
--> statement-breakpoint
UPDATE `detections` SET `processed_at` = `received_at` WHERE `processed_at` IS NULL AND `outcome` != 'pending';
