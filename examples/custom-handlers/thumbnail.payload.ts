import { IsInt, IsString, Max, Min } from 'class-validator';

/** What a `thumbnail.render` task takes; the worker validates it before the handler runs. */
export class ThumbnailPayload {
  @IsString()
  image!: string;

  @IsInt()
  @Min(16)
  @Max(1024)
  size!: number;
}
