import { IsNumber, Max, Min } from 'class-validator';

/** One flower, in centimetres. */
export class IrisMeasurementsDto {
  @IsNumber()
  @Min(0)
  @Max(100)
  sepalLength!: number;

  @IsNumber()
  @Min(0)
  @Max(100)
  sepalWidth!: number;

  @IsNumber()
  @Min(0)
  @Max(100)
  petalLength!: number;

  @IsNumber()
  @Min(0)
  @Max(100)
  petalWidth!: number;
}
