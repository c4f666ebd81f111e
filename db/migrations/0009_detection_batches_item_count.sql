-- Custom SQL migration file, put your code below! --
ALTER TABLE `detection_batches` ADD `item_count` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
UPDATE `detection_batches` SET `item_count` = json_array_length(`detection_ids`);
